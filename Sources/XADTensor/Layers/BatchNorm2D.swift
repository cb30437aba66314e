/// Batch normalisation over the channels of NCHW tensors (PyTorch's `nn.BatchNorm2d`).
///
/// Evaluation: `y = (x - runningMean) / sqrt(runningVariance + ε) · weight + bias`.
/// Training: the same with the batch's mean and biased variance, after which
/// `running ← (1 - momentum) · running + momentum · batch` (with the unbiased batch variance).
/// Tensors are named as in PyTorch: `"weight"`, `"bias"` (parameters), `"running_mean"`,
/// `"running_var"` (buffers).
///
/// ```swift
/// var norm = BatchNorm2D(channels: 16)
/// let y = try norm(training: features)   // normalises with batch statistics, updates running ones
/// let z = try norm(features)             // normalises with running statistics
/// ```
public struct BatchNorm2D: Layer {
    /// The scale γ, `[C]`.
    public var weight: Tensor
    /// The shift β, `[C]`.
    public var bias: Tensor
    public var runningMean: Tensor
    public var runningVariance: Tensor
    /// How much of each batch's statistics enters the running ones.
    public var momentum: Float
    /// Added to the variance before the square root.
    public var epsilon: Float

    /// A fresh layer: weight 1, bias 0, running mean 0, running variance 1.
    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = .ones([channels])
        bias = .zeros([channels])
        runningMean = .zeros([channels])
        runningVariance = .ones([channels])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// The number of channels normalised.
    public var channels: Int { weight.count }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.parameter("weight", &weight)
        visitor.parameter("bias", &bias)
        visitor.buffer("running_mean", &runningMean)
        visitor.buffer("running_var", &runningVariance)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.batchNorm(mean: runningMean, variance: runningVariance, scale: weight, shift: bias, epsilon: epsilon)
    }

    public mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        let (output, mean, variance) = try input.batchNormTraining(scale: weight, shift: bias, epsilon: epsilon)
        runningMean = try (runningMean.detached * (1 - momentum) + mean * momentum)
        runningVariance = try (runningVariance.detached * (1 - momentum) + variance * momentum)
        return output
    }
}
