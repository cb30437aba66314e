import XADTensor

/// A convolution followed by inference-mode batch norm, folded into one convolution with a bias
/// (``Conv2D/foldingBatchNorm(_:)``), then optionally ReLU6:
///
/// `y = act(conv(x, W') + b')` with `W'[o] = W[o] · γ[o] / √(σ²[o] + ε)` and
/// `b'[o] = β[o] - μ[o] · γ[o] / √(σ²[o] + ε)`, `act` = ReLU6 or the identity.
///
/// Folding changes nothing mathematically for inference, nor for gradients with respect to the
/// input and the activations (the statistics are frozen), so one form serves both modes.
struct FoldedConvolution: Sendable {
    let convolution: Conv2D
    let appliesReLU6: Bool

    /// - Throws: `TensorError` when `norm`'s channel count is not the convolution's.
    init(_ convolution: Conv2D, _ norm: BatchNorm2D, relu6: Bool) throws {
        self.convolution = try convolution.foldingBatchNorm(norm)
        appliesReLU6 = relu6
    }

    /// The folded convolution and activation. Recorded on the input's tape when it has one;
    /// otherwise ReLU6 runs in place on the fresh output.
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = try convolution(x)
        guard appliesReLU6 else { return y }
        if y.isTracked { return y.relu6() }
        InferenceKernels.clampInPlace(&y, lower: 0, upper: 6)
        return y
    }
}
