/// Transposed 2-D convolution over NCHW tensors (PyTorch's `conv_transpose2d`), differentiable
/// with respect to the input, the weight and the bias.
extension Tensor {
    /// The transposed convolution of this `[N, Cin, H, W]` tensor with `weight`
    /// `[Cin, Cout / groups, kH, kW]`: every input pixel adds its value times the kernel into the
    /// output at stride `s`, which makes it the adjoint (gradient) of ``conv2d(_:bias:stride:padding:dilation:groups:)``
    /// with the same weight:
    ///
    /// `out[n, o, y·sH + ky·dH - pH, x·sW + kx·dW - pW] += weight[c, o', ky, kx] · in[n, c, y, x]`
    ///
    /// for `c` in group `g` and `o = g·Cout/groups + o'`, then `+ bias[o]`. The output is
    /// `[N, Cout, Ho, Wo]` with `Ho = (H - 1)·sH - 2pH + dH·(kH - 1) + outputPaddingH + 1`;
    /// `outputPadding` (smaller than the stride or the dilation) picks among the sizes that a
    /// strided convolution maps to `H`.
    ///
    /// ```swift
    /// let upsampled = try x.convTranspose2d(weight, stride: 2, padding: 1, outputPadding: 1)  // 2x H and W
    /// ```
    /// - Throws: ``TensorError`` naming the shapes when the ranks, channel counts, groups, bias
    ///   length, stride, padding, output padding or dilation do not fit, or the output would be empty.
    public func convTranspose2d(_ weight: Tensor, bias: Tensor? = nil, stride: Size2 = 1, padding: Size2 = 0,
                                outputPadding: Size2 = 0, dilation: Size2 = 1, groups: Int = 1) throws -> Tensor {
        // `g` describes the forward convolution whose input is this operation's output.
        let g = try ConvolutionGeometry.validatedTransposed(
            input: shape, weight: weight.shape, bias: bias?.shape, stride: stride, padding: padding,
            outputPadding: outputPadding, dilation: dilation, groups: groups)
        let result = Tensor.written(g.inputShape) { out in
            ConvolutionKernels.inputGradient(g, upstream: storage.base, weight: weight.storage.base, into: out)
            guard let bias = bias?.storage.base else { return }
            for plane in 0..<g.batch * g.inChannels {
                let value = bias[plane % g.inChannels], row = out + plane * g.inPlane
                for i in 0..<g.inPlane { row[i] += value }
            }
        }
        let savedInput = weight.isTracked ? detached : nil
        return Tensor.recording(result, "convTranspose2d", inputs: [self, weight] + (bias.map { [$0] } ?? []))
        { [w = weight.detached] upstream, needed in
            [needed[0] ? g.convolution(upstream, weight: w) : nil,
             needed[1] ? savedInput.map { g.convolutionWeightGradient(input: upstream, upstream: $0) } : nil,
             needed.count > 2 && needed[2] ? g.biasGradient(upstream, planeOf: .input) : nil]
        }
    }
}

extension ConvolutionGeometry {
    /// The forward convolution of an ``inputShape`` tensor, without bias and without recording.
    func convolution(_ input: Tensor, weight: Tensor) -> Tensor {
        Tensor.written(outputShape) {
            ConvolutionKernels.forward(self, input: input.storage.base, weight: weight.storage.base, bias: nil, output: $0)
        }
    }

    /// The geometry of the forward convolution that `convTranspose2d` is the adjoint of, after
    /// checking every argument against PyTorch's rules.
    static func validatedTransposed(input: [Int], weight: [Int], bias: [Int]?, stride: Size2, padding: Size2,
                                    outputPadding: Size2, dilation: Size2, groups: Int) throws -> ConvolutionGeometry {
        let op = "convTranspose2d"
        try checkRanks(op, input: input, weight: weight)
        try checkHyperparameters(op, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let cin = input[1]
        guard weight[0] == cin else {
            throw TensorError.shapes(op, [input, weight], "disagree: the weight's first dimension must equal the input's \(cin) channels")
        }
        guard cin % groups == 0 else {
            throw TensorError.shapes(op, [input, weight], "do not split into \(groups) groups: input channels \(cin) must be divisible by \(groups)")
        }
        let cout = weight[1] * groups
        try checkBias(op, bias, channels: cout)
        let fitsH = outputPadding.height < Swift.max(stride.height, dilation.height)
        let fitsW = outputPadding.width < Swift.max(stride.width, dilation.width)
        guard outputPadding.height >= 0, outputPadding.width >= 0, fitsH, fitsW else {
            throw TensorError(.invalidArgument, op, "output padding \(outputPadding) must be non-negative and smaller than the stride \(stride) or the dilation \(dilation)")
        }
        let kernel = Size2(height: weight[2], width: weight[3])
        let outH = (input[2] - 1) * stride.height - 2 * padding.height + dilation.height * (kernel.height - 1)
            + outputPadding.height + 1
        let outW = (input[3] - 1) * stride.width - 2 * padding.width + dilation.width * (kernel.width - 1)
            + outputPadding.width + 1
        guard input[2] > 0, input[3] > 0, outH > 0, outW > 0 else {
            throw TensorError.shapes(op, [input, weight], "give an empty output (\(outH)x\(outW)) with padding \(padding) and stride \(stride)")
        }
        return ConvolutionGeometry(
            batch: input[0], inChannels: cout, inHeight: outH, inWidth: outW,
            outChannels: cin, outHeight: input[2], outWidth: input[3],
            kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
