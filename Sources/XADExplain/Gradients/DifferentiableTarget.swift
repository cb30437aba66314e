import XADDetect
import XADImage
import XADTensor

/// An explanation target as a differentiable function of a detector's prepared input: what every
/// gradient and CAM method evaluates.
///
/// The detector's map is computed at the model's resolution, resized (bilinear) to the explained
/// image's size, and reduced to the target there, so regions are given in image pixels and the
/// value equals the target of `AnomalyDetector.score(image:)`'s map.
public struct DifferentiableTarget: Sendable {
    /// The detector whose map is differentiated.
    public let detector: any DifferentiableDetector
    /// The number explained.
    public let target: ExplanationTarget
    /// The explained image's size.
    public let imageSize: Size2
    /// The explainer's registry name, for error messages.
    public let method: String

    /// The target of `detector`'s map for images of `imageSize`, for the explainer `method`.
    /// - Throws: ``ExplainerError/notDifferentiable(detector:method:)`` when `detector` cannot
    ///   give gradients.
    public init(_ detector: any AnomalyDetector, target: ExplanationTarget, imageSize: Size2, method: String) throws {
        guard let differentiable = detector as? any DifferentiableDetector else {
            throw ExplainerError.notDifferentiable(detector: type(of: detector).name, method: method)
        }
        self.detector = differentiable
        self.target = target
        self.imageSize = imageSize
        self.method = method
    }

    /// Which backbone tap an evaluation also differentiates with respect to.
    public enum Tap: Sendable, Hashable {
        /// None: input gradients only.
        case none
        /// The tap of this name.
        case named(String)
        /// The detector's layer with the smallest activation grid (its deepest).
        case coarsest
    }

    /// One evaluation: the target per batch entry and the gradients of their sum.
    public struct Evaluation: Sendable {
        /// The target value of each batch entry.
        public var values: [Float]
        /// d target / d prepared input, `[N, 3, h, w]` (each entry's own gradient).
        public var inputGradient: Tensor
        /// The tap asked for; nil when none was.
        public var layer: String?
        /// That tap's activation `[N, K, h', w']`, untracked.
        public var activation: Tensor?
        /// d target / d that activation, `[N, K, h', w']`.
        public var activationGradient: Tensor?
    }

    /// Evaluates a prepared batch `[N, 3, h, w]` on a fresh tape, also differentiating with
    /// respect to the activation of `tap`.
    /// - Throws: ``ExplainerError/invalidOption(_:)`` for a named tap the detector does not compute,
    ///   ``ExplainerError/notApplicable(method:reason:)`` when it exposes none of its layers.
    public func evaluate(_ batch: Tensor, tap: Tap = .none) throws -> Evaluation {
        let tape = GradientTape()
        let input = tape.watch(batch)
        let output = try detector.differentiableForward(batch: input)
        let layer: String?
        switch tap {
        case .none: layer = nil
        case .named(let name): layer = name
        case .coarsest:
            let candidates = detector.setup.layers.compactMap { name in
                output.activations[name].map { (name, $0.shape[2] * $0.shape[3]) }
            }
            layer = candidates.min { $0.1 < $1.1 }?.0
            guard layer != nil else {
                throw ExplainerError.notApplicable(method: method, reason: "it reads a backbone tap, and the \(type(of: detector).name) detector exposes none of its layers \(detector.setup.layers) as activations")
            }
        }
        var activation: Tensor?
        if let layer {
            guard let found = output.activations[layer] else {
                throw ExplainerError.invalidOption("\(method): the detector computes no backbone tap '\(layer)'; it has \(output.activations.keys.sorted().joined(separator: ", "))")
            }
            activation = found
        }
        let values = try target.values(of: output.map, at: imageSize)
        let wrt = [input] + (activation.map { [$0] } ?? [])
        let gradients = try tape.gradients(of: try values.sum(), withRespectTo: wrt)
        return Evaluation(values: values.scalars, inputGradient: gradients[0], layer: layer,
                          activation: activation?.detached, activationGradient: gradients.count > 1 ? gradients[1] : nil)
    }

    /// Target values of a prepared batch without recording anything (for gradient-free uses).
    public func values(_ batch: Tensor) throws -> [Float] {
        try target.values(of: detector.differentiableForward(batch: batch).map, at: imageSize).scalars
    }
}

extension Tensor {
    /// The spatial size of an NCHW image tensor.
    var imageSize: Size2 { Size2(height: shape[shape.count - 2], width: shape[shape.count - 1]) }

    /// A relevance plane `[h, w]` (or `[1, 1, h, w]`) resampled (bilinear) to `size`, as `[H, W]`.
    func relevanceMap(resizedTo size: Size2) throws -> Tensor {
        let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
        let plane = try reshaped([1, 1, height, width])
        let resized = Size2(height: height, width: width) == size ? plane : try plane.resized(to: size, mode: .bilinear)
        return try resized.reshaped([size.height, size.width])
    }
}
