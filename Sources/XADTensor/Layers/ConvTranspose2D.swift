/// A transposed 2-D convolution layer over NCHW tensors (PyTorch's `nn.ConvTranspose2d`), the
/// learnable upsampling of decoders: see ``Tensor/convTranspose2d(_:bias:stride:padding:outputPadding:dilation:groups:)``
/// for the formula. Tensors are named `"weight"` `[in, out / groups, kH, kW]` and `"bias"` `[out]`.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let up = try ConvTranspose2D(inputChannels: 32, outputChannels: 16, kernelSize: 4, stride: 2, padding: 1, generator: &g)
/// let y = try up(x)   // [N, 32, 16, 16] -> [N, 16, 32, 32]
/// ```
public struct ConvTranspose2D: Layer {
    public var weight: Tensor
    public var bias: Tensor?
    public let stride: Size2, padding: Size2, outputPadding: Size2, dilation: Size2
    public let groups: Int

    /// A transposed convolution with the given weights.
    /// - Throws: ``TensorError`` when `weight` is not rank 4 or `bias` is not `[out]`.
    public init(weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0, outputPadding: Size2 = 0,
                dilation: Size2 = 1, groups: Int = 1) throws {
        guard weight.rank == 4 else {
            throw TensorError(.shapeMismatch, "ConvTranspose2D", "weight \(weight.shape) must be [in, out / groups, kH, kW]")
        }
        if let bias, bias.shape != [weight.shape[1] * groups] {
            throw TensorError.shapes("ConvTranspose2D", [weight.shape, bias.shape], "disagree: bias must be [\(weight.shape[1] * groups)]")
        }
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    /// A randomly initialised transposed convolution: weight and bias uniform in
    /// `±1/sqrt(fanIn)` with PyTorch's `fanIn = outputChannels / groups · kH · kW` (computed from
    /// the weight's second dimension, as `nn.ConvTranspose2d` does).
    /// - Throws: ``TensorError`` when a size is not positive or the channel counts are not
    ///   multiples of `groups`.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Size2, stride: Size2 = 1, padding: Size2 = 0,
                outputPadding: Size2 = 0, dilation: Size2 = 1, groups: Int = 1, bias: Bool = true,
                generator: inout SeededGenerator) throws {
        try checkConvolutionSizes("ConvTranspose2D", inputChannels: inputChannels, outputChannels: outputChannels,
                                  kernelSize: kernelSize, groups: groups)
        let fanIn = outputChannels / groups * kernelSize.height * kernelSize.width
        let weight = Tensor.kaimingUniform([inputChannels, outputChannels / groups, kernelSize.height, kernelSize.width],
                                           fanIn: fanIn, generator: &generator)
        let bias = bias ? Tensor.kaimingUniform([outputChannels], fanIn: fanIn, generator: &generator) : nil
        try self.init(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                      dilation: dilation, groups: groups)
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.parameter("weight", &weight)
        visitor.parameter("bias", &bias)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.convTranspose2d(weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                  dilation: dilation, groups: groups)
    }
}
