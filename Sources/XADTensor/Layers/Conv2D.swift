/// A 2-D convolution layer over NCHW tensors (PyTorch's `nn.Conv2d`).
///
/// `y[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c]` with stride, zero padding, dilation and
/// groups as in ``Tensor/conv2d(_:bias:stride:padding:dilation:groups:)``. Tensors are named
/// `"weight"` `[out, in / groups, kH, kW]` and `"bias"` `[out]`.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let conv = try Conv2D(inputChannels: 3, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, generator: &g)
/// let y = try conv(image)   // [N, 3, 64, 64] -> [N, 16, 32, 32]
/// ```
public struct Conv2D: Layer {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: Size2, padding: Size2, dilation: Size2
    public let groups: Int

    /// A convolution with the given weights (loaded, or folded).
    /// - Throws: ``TensorError`` when `weight` is not rank 4 or `bias` is not `[out]`.
    public init(weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0,
                dilation: Size2 = 1, groups: Int = 1) throws {
        guard weight.rank == 4 else {
            throw TensorError(.shapeMismatch, "Conv2D", "weight \(weight.shape) must be [out, in / groups, kH, kW]")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError.shapes("Conv2D", [weight.shape, bias.shape], "disagree: bias must be [\(weight.shape[0])]")
        }
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// A randomly initialised convolution: weight and bias uniform in `±1/sqrt(fanIn)`,
    /// `fanIn = inputChannels / groups · kH · kW` (PyTorch's default).
    /// - Throws: ``TensorError`` when a size is not positive or the channel counts are not
    ///   multiples of `groups`.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Size2, stride: Size2 = 1,
                padding: Size2 = 0, dilation: Size2 = 1, groups: Int = 1, bias: Bool = true,
                generator: inout SeededGenerator) throws {
        try checkConvolutionSizes("Conv2D", inputChannels: inputChannels, outputChannels: outputChannels,
                                  kernelSize: kernelSize, groups: groups)
        let fanIn = inputChannels / groups * kernelSize.height * kernelSize.width
        let weight = Tensor.kaimingUniform([outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width],
                                           fanIn: fanIn, generator: &generator)
        let bias = bias ? Tensor.kaimingUniform([outputChannels], fanIn: fanIn, generator: &generator) : nil
        try self.init(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.parameter("weight", &weight)
        visitor.parameter("bias", &bias)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// This convolution followed by `norm` in evaluation mode, as one convolution (for fast
    /// inference): with `k = γ / sqrt(runningVariance + ε)` per output channel,
    /// `weight' = weight · k` and `bias' = (bias - runningMean) · k + β`.
    ///
    /// ```swift
    /// let fused = try conv.foldingBatchNorm(bn)   // fused(x) == bn(conv(x)) up to rounding
    /// ```
    /// - Throws: ``TensorError`` when `norm` has a different channel count.
    public func foldingBatchNorm(_ norm: BatchNorm2D) throws -> Conv2D {
        let outputs = weight.shape[0]
        guard norm.channels == outputs else {
            throw TensorError(.shapeMismatch, "foldingBatchNorm",
                              "batch norm has \(norm.channels) channels, the convolution \(outputs) outputs")
        }
        let gamma = norm.weight.scalars, beta = norm.bias.scalars
        let mean = norm.runningMean.scalars, variance = norm.runningVariance.scalars
        let factor = (0..<outputs).map { o in gamma[o] / (variance[o] + norm.epsilon).squareRoot() }
        let perOutput = weight.count / Swift.max(outputs, 1)
        let folded = Tensor(shape: weight.shape) { out in
            let w = weight.storage.base
            for i in 0..<out.count { out[i] = w[i] * factor[i / perOutput] }
        }
        let oldBias = bias?.scalars ?? [Float](repeating: 0, count: outputs)
        let foldedBias = try Tensor(shape: [outputs], scalars: (0..<outputs).map { o in
            (oldBias[o] - mean[o]) * factor[o] + beta[o]
        })
        return try Conv2D(weight: folded, bias: foldedBias, stride: stride, padding: padding,
                          dilation: dilation, groups: groups)
    }
}
