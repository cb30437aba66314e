import XADDetect
import XADTensor

/// Integrated gradients (Sundararajan et al. 2017): `(x - x₀) · ∫₀¹ ∂t/∂x(x₀ + α(x - x₀)) dα`
/// on the prepared input, summed over channels (signed).
///
/// The integral is the trapezoid rule over `steps` evenly spaced α in [0, 1] (Captum's
/// `method="riemann_trapezoid"`), so the attributions sum to `t(x) - t(x₀)` up to the rule's
/// error (completeness). Interpolated inputs are evaluated `batchSize` at a time.
///
/// ```swift
/// let ig = IntegratedGradients(steps: 64, baseline: .blurred(sigma: 10))
/// let explanation = try ig.explain(padim, image: image, target: .imageScore)
/// ```
public struct IntegratedGradients: InputAttribution, ContextStoringExplainer {
    /// The reference image the path starts from, made in image space and prepared like the input.
    public enum Baseline: Sendable {
        /// All zeros: a black image.
        case black
        /// The image blurred by a Gaussian of `sigma` pixels: structure removed, colours kept.
        case blurred(sigma: Float)
        /// A given image (`[1, C, H, W]` in 0...1, any size).
        case image(Tensor)
        /// The normal training image holding the nearest normal patch of the image's most
        /// anomalous patch (``IntegratedGradients/nearestNormalImage(of:)``), resampled to the
        /// image's size: needs a memory-bank detector (patchcore, knn) and
        /// ``ExplanationContext/normalImages``.
        case nearestNormal
    }

    public static let name = "integrated-gradients"
    /// Points on the path, ends included (at least 2). Default 50.
    public var steps: Int
    /// Where the path starts. Default black.
    public var baseline: Baseline
    /// Interpolated inputs per backbone pass. Default 8.
    public var batchSize: Int
    /// Where the ``Baseline/nearestNormal`` baseline's training images come from.
    public var context: ExplanationContext

    public init(steps: Int = 50, baseline: Baseline = .black, batchSize: Int = 8, context: ExplanationContext = ExplanationContext()) {
        self.steps = steps
        self.baseline = baseline
        self.batchSize = batchSize
        self.context = context
    }

    /// The prepared baseline for `image`.
    public func baselineInput(for image: Tensor, preparedBy detector: any AnomalyDetector) throws -> Tensor {
        switch baseline {
        case .black: return try detector.setup.preprocessing(Tensor.zeros(image.shape))
        case .blurred(let sigma): return try detector.setup.preprocessing(image.gaussianBlur(sigma: sigma))
        case .image(let reference): return try detector.setup.preprocessing(reference)
        case .nearestNormal:
            guard let index = Self.nearestNormalImage(of: try detector.score(image: image)) else {
                throw ExplainerError.invalidOption("the nearest-normal baseline needs a memory-bank detector (patchcore, knn), whose results name each patch's nearest normal training patch; the \(type(of: detector).name) detector's do not")
            }
            let normal = try context.normalImage(index, resizedTo: image.imageSize, channels: image.shape[1], method: "the nearest-normal baseline")
            return try detector.setup.preprocessing(normal)
        }
    }

    public func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?) {
        guard steps >= 2 else { throw ExplainerError.invalidOption("integrated gradients needs at least 2 steps, got \(steps)") }
        let start = try baselineInput(for: image, preparedBy: function.detector)
        guard start.shape == input.shape else {
            throw ExplainerError.invalidOption("the baseline prepares to \(start.shape) but the input to \(input.shape)")
        }
        let path = try input - start
        let interval = 1 / Float(steps - 1)
        var integral = Tensor.zeros(input.shape)
        var endValue: Float?
        var first = 0
        while first < steps {
            let last = Swift.min(first + Swift.max(batchSize, 1), steps)
            let points = try Tensor.concatenate((first..<last).map { try start + path * (Float($0) * interval) }, axis: 0)
            let evaluation = try function.evaluate(points)
            let gradients = evaluation.inputGradient
            if last == steps { endValue = evaluation.values.last }
            for (offset, step) in (first..<last).enumerated() {
                let weight = step == 0 || step == steps - 1 ? interval / 2 : interval
                integral = try integral + gradients.sliced(axis: 0, range: offset..<(offset + 1)) * weight
            }
            first = last
        }
        // The last point is the input itself, so its value is the explained one.
        return (try path * integral, endValue)
    }

    public var sumsAbsoluteValues: Bool { false }

    public var optionSummary: [String: String] {
        let start = switch baseline {
        case .black: "black"
        case .blurred(let sigma): "blurred (sigma \(sigma))"
        case .image: "given image"
        case .nearestNormal: "nearest normal training image"
        }
        return ["steps": "\(steps)", "baseline": start]
    }

    /// The training image holding the nearest normal patch of `result`'s most anomalous patch
    /// (memory-bank detectors only; nil when the result has no such provenance): the natural
    /// ``Baseline/image(_:)`` for "what would a normal part look like here?".
    public static func nearestNormalImage(of result: AnomalyResult) -> Int? {
        let scores = result.provenance.patchScores.scalars
        guard scores.count == result.provenance.nearestNormal.count,
              let worst = scores.indices.max(by: { scores[$0] < scores[$1] }) else { return nil }
        return result.provenance.nearestNormal[worst].image
    }
}
