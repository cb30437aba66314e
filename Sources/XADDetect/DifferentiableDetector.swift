import XADTensor

/// A detector whose anomaly map can be recomputed with operations a `GradientTape` records,
/// so gradient explainers can ask for d map / d input and d map / d backbone activations.
///
/// Memory-bank methods fix each test patch's nearest neighbour at its current choice (the
/// distance to a fixed patch is differentiable; the choice is not).
public protocol DifferentiableDetector: AnomalyDetector {
    /// The anomaly map of a prepared batch (`[N, 3, H, W]`, watched by a tape) as `[N, H, W]`,
    /// and the backbone activations it was computed from, by tap name, all on the tape.
    func differentiableForward(batch: Tensor) throws -> DifferentiableOutput
}

/// The recorded output of ``DifferentiableDetector/differentiableForward(batch:)``.
public struct DifferentiableOutput: Sendable {
    /// `[N, H, W]` at the batch's spatial size: the same map ``AnomalyDetector/score(batch:)``
    /// returns, smoothing included.
    public var map: Tensor
    /// Backbone feature maps by tap name (`[N, C, h, w]`).
    public var activations: [String: Tensor]

    public init(map: Tensor, activations: [String: Tensor]) {
        self.map = map
        self.activations = activations
    }
}
