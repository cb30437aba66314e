/// The sizes of one 2-D convolution over NCHW arrays, in the terms of the forward convolution:
/// `input` is what the kernel slides over and `output` what it produces, so that
/// `output[n, o, y, x] = Σ_{c, ky, kx} weight[o, c, ky, kx] · input[n, g·Cg + c, y·s + ky·d - p, x·s + kx·d - p]`
/// with `g = o / (outChannels / groups)` and `Cg = inChannels / groups`.
///
/// A transposed convolution is the adjoint of a forward convolution, so it is described by the
/// same geometry with its own input playing `output` and its own output playing `input`.
package struct ConvolutionGeometry: Sendable {
    package var batch: Int
    package var inChannels: Int
    package var inHeight: Int
    package var inWidth: Int
    package var outChannels: Int
    package var outHeight: Int
    package var outWidth: Int
    package var kernel: Size2
    package var stride: Size2
    package var padding: Size2
    package var dilation: Size2
    package var groups: Int

    package var inChannelsPerGroup: Int { inChannels / groups }
    package var outChannelsPerGroup: Int { outChannels / groups }
    package var inPlane: Int { inHeight * inWidth }
    package var outPlane: Int { outHeight * outWidth }
    package var taps: Int { kernel.height * kernel.width }
    /// Rows of the im2col matrix of one group: the length of one flattened filter.
    package var patchSize: Int { inChannelsPerGroup * taps }

    package var inputShape: [Int] { [batch, inChannels, inHeight, inWidth] }
    package var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    package var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernel.height, kernel.width] }

    /// A 1x1 kernel that visits every input pixel once: the NCHW input already is the im2col matrix.
    package var isPointwise: Bool {
        kernel == 1 && stride == 1 && padding == 0 && inHeight == outHeight && inWidth == outWidth
    }

    /// Each output channel reads a single input channel (groups == input channels): a direct
    /// per-plane kernel beats a matrix product with one-row operands.
    package var isDepthwise: Bool { inChannelsPerGroup == 1 }

    /// The outputs `o` along one axis whose input coordinate `o·stride + tap·dilation - padding`
    /// lies inside `0..<inputSize`: an interior range, so inner loops need no bounds checks.
    @inline(__always)
    package static func validOutputs(tap: Int, inputSize: Int, outputSize: Int,
                                     stride: Int, padding: Int, dilation: Int) -> Range<Int> {
        let offset = tap * dilation - padding
        let first = offset >= 0 ? 0 : (stride - 1 - offset) / stride
        let last = inputSize - 1 - offset
        let end = last < 0 ? 0 : last / stride + 1
        let lower = Swift.min(first, outputSize)
        return lower..<Swift.min(Swift.max(end, lower), outputSize)
    }

    /// ``validOutputs(tap:inputSize:outputSize:stride:padding:dilation:)`` along the width, for
    /// every horizontal tap of the kernel (computed once per call, reused for every row).
    package var validColumns: [Range<Int>] {
        (0..<kernel.width).map {
            Self.validOutputs(tap: $0, inputSize: inWidth, outputSize: outWidth,
                              stride: stride.width, padding: padding.width, dilation: dilation.width)
        }
    }

    /// The input row read by output row `y` through vertical tap `ky`, or nil when it is padding.
    @inline(__always)
    package func inputRow(output y: Int, tap ky: Int) -> Int? {
        let row = y * stride.height + ky * dilation.height - padding.height
        return row >= 0 && row < inHeight ? row : nil
    }
}
