import XADDetect
import XADTensor

/// Grad-CAM (Selvaraju et al. 2017) on the anomaly target: at a backbone tap with activations
/// `A_k` and gradients `G_k = ∂t/∂A_k`, the map `relu(Σ_k w_k A_k)` with `w_k` the spatial mean of
/// `G_k`; then, as pytorch-grad-cam does, shifted to minimum 0 and divided by `1e-7 + max`, and
/// resized (bilinear) to the image.
///
/// ```swift
/// let explanation = try GradCAM(layer: "stage3").explain(padim, image: image, target: .imageScore)
/// ```
public struct GradCAM: Explainer {
    public typealias Options = CAMOptions
    public static let name = "grad-cam"
    public static let summary = "Weights a backbone tap's channels by the spatial mean of the target's gradient (Grad-CAM)."
    public static let requirements = ExplainerRequirements.gradients
    public var options: Options

    public init(options: Options) { self.options = options }

    /// Grad-CAM at `layer` (nil: the coarsest of the detector's layers).
    public init(layer: String? = nil) { options = Options(layer: layer) }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        return try ClassActivationMap.explain(Self.name, detector, image: image, target: target, layer: options.layer) { _, gradients in
            try gradients.mean(axes: [2, 3])
        }
    }
}

/// Grad-CAM++ (Chattopadhay et al. 2018): Grad-CAM with each position's gradient weighted by
/// `α = G² / (2G² + (Σ_ij A) G³ + 1e-6)` (0 where `G = 0`), `w_k = Σ_ij α relu(G)`; the formula
/// and scaling of pytorch-grad-cam's `GradCAMPlusPlus`.
public struct GradCAMPlusPlus: Explainer {
    public typealias Options = CAMOptions
    public static let name = "grad-cam++"
    public static let summary = "Grad-CAM with each position's gradient weighted by second- and third-order terms (Grad-CAM++)."
    public static let requirements = ExplainerRequirements.gradients
    public var options: Options

    public init(options: Options) { self.options = options }

    /// Grad-CAM++ at `layer` (nil: the coarsest of the detector's layers).
    public init(layer: String? = nil) { options = Options(layer: layer) }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        return try ClassActivationMap.explain(Self.name, detector, image: image, target: target, layer: options.layer) { activation, gradients in
            let (channels, plane) = (activation.shape[1], activation.shape[2] * activation.shape[3])
            return Tensor(shape: [1, channels]) { weights in
                activation.withUnsafeBufferPointer { a in
                    gradients.withUnsafeBufferPointer { g in
                        for k in 0..<channels {
                            var activationSum: Float = 0
                            for i in 0..<plane { activationSum += a[k * plane + i] }
                            var weight: Float = 0
                            for i in 0..<plane where g[k * plane + i] != 0 {
                                let gradient = g[k * plane + i], square = gradient * gradient
                                let alpha = square / (2 * square + activationSum * square * gradient + 1e-6)
                                weight += alpha * Swift.max(gradient, 0)
                            }
                            weights[k] = weight
                        }
                    }
                }
            }
        }
    }
}

/// The options of Grad-CAM and Grad-CAM++: which backbone tap.
public struct CAMOptions: MethodOptions {
    /// The backbone tap, e.g. `"stage3"`; nil (the default) takes the coarsest of the detector's
    /// layers.
    public var layer: String?

    public init() {}

    /// The options with this tap.
    public init(layer: String?) { self.layer = layer }

    public static let help = [OptionHelp("layer", "backbone tap, e.g. stage3 (none: the coarsest of the detector's layers)")]
}

/// What the CAM methods share: choosing the tap, weighting its channels, scaling the map.
enum ClassActivationMap {
    /// Explains with channel weights `[1, K]` computed from the tap's activation and gradient
    /// (both `[1, K, h, w]`).
    static func explain(_ method: String, _ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget,
                        layer: String?, weights: (Tensor, Tensor) throws -> Tensor) throws -> Explanation {
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: method)
        let input = try detector.setup.preprocessing(image)
        let evaluation = try function.evaluate(input, tap: layer.map { .named($0) } ?? .coarsest)
        guard let tap = evaluation.layer, let activation = evaluation.activation, let gradients = evaluation.activationGradient else {
            throw ExplainerError.notApplicable(method: method, reason: "the detector gave no activation for the CAM layer")
        }
        let map = try weightedSum(activation, weights: try weights(activation, gradients))
        return Explanation(method: method, map: try scaledMap(map, to: image.imageSize), target: target,
                           targetValue: evaluation.values[0], options: ["layer": tap])
    }

    /// `relu(Σ_k w_k A_k)` for `A` `[1, K, h, w]` and `w` `[1, K]`, as `[h, w]`.
    static func weightedSum(_ activation: Tensor, weights: Tensor) throws -> Tensor {
        let (channels, height, width) = (activation.shape[1], activation.shape[2], activation.shape[3])
        return try (activation * weights.reshaped([1, channels, 1, 1])).sum(axes: [0, 1]).relu().reshaped([height, width])
    }

    /// A CAM `[h, w]` resized (bilinear) to `size` and then min-max scaled,
    /// `(m - min m) / (1e-7 + max(m - min m))`, as pytorch-grad-cam returns it (its last
    /// `scale_cam_image` runs after the resize).
    static func scaledMap(_ cam: Tensor, to size: Size2) throws -> Tensor {
        let resized = try cam.relevanceMap(resizedTo: size)
        let shifted = try resized - resized.min()
        return try shifted / (try shifted.max() + 1e-7)
    }
}
