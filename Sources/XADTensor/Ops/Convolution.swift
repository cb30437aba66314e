/// 2-D convolution over NCHW tensors (PyTorch's `conv2d`), differentiable with respect to the
/// input, the weight and the bias.
extension Tensor {
    /// Convolves this `[N, Cin, H, W]` tensor with `weight` `[Cout, Cin / groups, kH, kW]`:
    ///
    /// `out[n, o, y, x] = bias[o] + Σ_{c, ky, kx} weight[o, c, ky, kx] · in[n, g·Cin/groups + c, y·sH + ky·dH - pH, x·sW + kx·dW - pW]`
    ///
    /// where `g = o / (Cout / groups)` and pixels outside the input (the zero padding) count as 0.
    /// The output is `[N, Cout, Ho, Wo]` with `Ho = (H + 2pH - dH·(kH - 1) - 1) / sH + 1` (floor).
    /// `groups = Cin = Cout` is a depthwise convolution.
    ///
    /// ```swift
    /// let features = try image.conv2d(weight, bias: bias, stride: 2, padding: 1)   // 3x3, halves H and W
    /// ```
    /// - Throws: ``TensorError`` naming the shapes when the ranks, channel counts, groups, bias
    ///   length, stride, padding or dilation do not fit, or the kernel is larger than the padded input.
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0,
                       dilation: Size2 = 1, groups: Int = 1) throws -> Tensor {
        let g = try ConvolutionGeometry.validatedForward(
            input: shape, weight: weight.shape, bias: bias?.shape,
            stride: stride, padding: padding, dilation: dilation, groups: groups)
        let result = Tensor.written(g.outputShape) {
            ConvolutionKernels.forward(g, input: storage.base, weight: weight.storage.base,
                                       bias: bias.map { UnsafePointer($0.storage.base) }, output: $0)
        }
        // The input is kept only when the weight's gradient can be asked for: explainers that
        // differentiate a frozen network need no copy of every activation.
        let savedInput = weight.isTracked ? detached : nil
        return Tensor.recording(result, "conv2d", inputs: [self, weight] + (bias.map { [$0] } ?? []))
        { [w = weight.detached] upstream, needed in
            [needed[0] ? g.convolutionInputGradient(upstream, weight: w) : nil,
             needed[1] ? savedInput.map { g.convolutionWeightGradient(input: $0, upstream: upstream) } : nil,
             needed.count > 2 && needed[2] ? g.biasGradient(upstream, planeOf: .output) : nil]
        }
    }
}

extension Tensor {
    /// A new tensor of `shape` whose elements `fill` writes, every one of them (for kernels that
    /// take raw pointers).
    static func written(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        fill(storage.base)
        return Tensor(shape: shape, storage: storage)
    }
}

extension ConvolutionGeometry {
    /// Which side of the geometry a tensor lies on.
    package enum Side { case input, output }

    /// The gradient of a convolution's input (shape ``inputShape``) from its output's gradient.
    package func convolutionInputGradient(_ upstream: Tensor, weight: Tensor) -> Tensor {
        Tensor.written(inputShape) {
            ConvolutionKernels.inputGradient(self, upstream: upstream.storage.base, weight: weight.storage.base, into: $0)
        }
    }

    /// The gradient of a convolution's weight (shape ``weightShape``).
    package func convolutionWeightGradient(input: Tensor, upstream: Tensor) -> Tensor {
        Tensor.written(weightShape) {
            ConvolutionKernels.weightGradient(self, input: input.storage.base, upstream: upstream.storage.base, into: $0)
        }
    }

    /// The gradient of a per-channel bias added on `side`: the sum of `upstream` over N, H and W.
    package func biasGradient(_ upstream: Tensor, planeOf side: Side) -> Tensor {
        let channels = side == .output ? outChannels : inChannels
        let plane = side == .output ? outPlane : inPlane
        return Tensor.written([channels]) {
            ConvolutionKernels.channelSums(upstream.storage.base, batch: batch, channels: channels, plane: plane, into: $0)
        }
    }

    /// The geometry of `conv2d`, after checking every argument against PyTorch's rules.
    package static func validatedForward(input: [Int], weight: [Int], bias: [Int]?, stride: Size2, padding: Size2,
                                 dilation: Size2, groups: Int) throws -> ConvolutionGeometry {
        let op = "conv2d"
        try checkRanks(op, input: input, weight: weight)
        try checkHyperparameters(op, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let (cin, cout) = (input[1], weight[0])
        guard cin % groups == 0, cout % groups == 0 else {
            throw TensorError.shapes(op, [input, weight], "do not split into \(groups) groups: input channels \(cin) and output channels \(cout) must both be divisible by \(groups)")
        }
        guard weight[1] == cin / groups else {
            throw TensorError.shapes(op, [input, weight], "disagree: the weight expects \(weight[1]) input channels per group, the input has \(cin) channels in \(groups) group(s)")
        }
        try checkBias(op, bias, channels: cout)
        let kernel = Size2(height: weight[2], width: weight[3])
        let extentH = dilation.height * (kernel.height - 1) + 1, extentW = dilation.width * (kernel.width - 1) + 1
        let paddedH = input[2] + 2 * padding.height, paddedW = input[3] + 2 * padding.width
        guard extentH <= paddedH, extentW <= paddedW else {
            throw TensorError.shapes(op, [input, weight], "do not fit: the dilated kernel (\(extentH)x\(extentW)) is larger than the padded input (\(paddedH)x\(paddedW))")
        }
        return ConvolutionGeometry(
            batch: input[0], inChannels: cin, inHeight: input[2], inWidth: input[3],
            outChannels: cout, outHeight: (paddedH - extentH) / stride.height + 1,
            outWidth: (paddedW - extentW) / stride.width + 1,
            kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    static func checkRanks(_ op: String, input: [Int], weight: [Int]) throws {
        guard input.count == 4 else {
            throw TensorError(.shapeMismatch, op, "input \(input) must be NCHW (rank 4)")
        }
        guard weight.count == 4, weight.allSatisfy({ $0 > 0 }) else {
            throw TensorError(.shapeMismatch, op, "weight \(weight) must be rank 4 with no zero size")
        }
    }

    static func checkHyperparameters(_ op: String, stride: Size2, padding: Size2, dilation: Size2,
                                     groups: Int) throws {
        guard stride.height > 0, stride.width > 0 else {
            throw TensorError(.invalidArgument, op, "stride \(stride) must be positive")
        }
        guard dilation.height > 0, dilation.width > 0 else {
            throw TensorError(.invalidArgument, op, "dilation \(dilation) must be positive")
        }
        guard padding.height >= 0, padding.width >= 0 else {
            throw TensorError(.invalidArgument, op, "padding \(padding) must not be negative")
        }
        guard groups > 0 else {
            throw TensorError(.invalidArgument, op, "groups \(groups) must be positive")
        }
    }

    static func checkBias(_ op: String, _ bias: [Int]?, channels: Int) throws {
        if let bias, bias != [channels] {
            throw TensorError(.shapeMismatch, op, "bias \(bias) must have shape [\(channels)], one value per output channel")
        }
    }
}
