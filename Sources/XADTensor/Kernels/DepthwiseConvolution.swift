/// Direct kernels for convolutions in which every output channel reads one input channel
/// (``ConvolutionGeometry/isDepthwise``; output channel `o` reads input channel `o / multiplier`).
///
/// Each task owns one output (or input) plane and sweeps it row by row: for every kernel tap the
/// row is updated over the tap's interior range (``ConvolutionGeometry/validColumns``), a loop
/// without branches that the compiler vectorises. Padding is skipped, never read.
package enum DepthwiseConvolution {
    /// `output = conv(input, weight) + bias` for the depthwise geometry `g`.
    ///
    /// 3x3 kernels (EfficientNet's) take a fused path on rows where all three input rows exist:
    /// the nine products of each interior pixel are summed in registers and stored once; the few
    /// border pixels are summed tap by tap.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                output: UnsafeMutablePointer<Float>) {
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        // The columns where every horizontal tap reads inside the input row.
        let interior = validColumns.dropFirst().reduce(validColumns[0]) { $0.clamped(to: $1) }
        let fusable = g.kernel == 3 && !interior.isEmpty
        ReductionKernels.forEachOuter(g.batch * g.outChannels, work: g.outPlane * g.taps) { planeIndex in
            let n = planeIndex / g.outChannels, o = planeIndex % g.outChannels
            let source = input + (n * g.inChannels + o / multiplier) * g.inPlane
            let filter = weight + o * g.taps
            let start = bias?[o] ?? 0
            for y in 0..<g.outHeight {
                let out = output + planeIndex * g.outPlane + y * width
                if fusable, let top = g.inputRow(output: y, tap: 0), let middle = g.inputRow(output: y, tap: 1),
                   let bottom = g.inputRow(output: y, tap: 2) {
                    let lines = (source + top * g.inWidth - g.padding.width,
                                 source + middle * g.inWidth - g.padding.width,
                                 source + bottom * g.inWidth - g.padding.width)
                    switch stride {
                    case 1: fused3x3(out, lines, filter, start: start, columns: interior, stride: 1, dilation: g.dilation.width)
                    case 2: fused3x3(out, lines, filter, start: start, columns: interior, stride: 2, dilation: g.dilation.width)
                    default: fused3x3(out, lines, filter, start: start, columns: interior, stride: stride, dilation: g.dilation.width)
                    }
                    for x in 0..<interior.lowerBound { out[x] = borderPixel(g, source, filter, validColumns, y, x, start) }
                    for x in interior.upperBound..<width { out[x] = borderPixel(g, source, filter, validColumns, y, x, start) }
                    continue
                }
                out.update(repeating: start, count: width)
                for ky in 0..<g.kernel.height {
                    guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                    for kx in 0..<g.kernel.width {
                        let w = filter[ky * g.kernel.width + kx]
                        let line = source + inputRow * g.inWidth + kx * g.dilation.width - g.padding.width
                        if stride == 1 {
                            for x in validColumns[kx] { out[x] += w * line[x] }
                        } else {
                            for x in validColumns[kx] { out[x] += w * line[x &* stride] }
                        }
                    }
                }
            }
        }
    }

    /// `out[x] = start + Σ_{ky, kx} w[ky, kx] · line_ky[x·stride + kx·dilation]` over `columns`,
    /// where all nine reads are inside the rows. Inlined with a constant stride so that the
    /// compiler vectorises it.
    @inline(__always)
    private static func fused3x3(
        _ out: UnsafeMutablePointer<Float>,
        _ lines: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        _ w: UnsafePointer<Float>, start: Float, columns: Range<Int>, stride: Int, dilation: Int
    ) {
        let (top, middle, bottom) = lines
        let (w0, w1, w2, w3, w4, w5) = (w[0], w[1], w[2], w[3], w[4], w[5])
        let (w6, w7, w8) = (w[6], w[7], w[8])
        let d1 = dilation, d2 = 2 &* dilation
        for x in columns {
            let i = x &* stride
            let upper = w0 * top[i] + w1 * top[i &+ d1] + w2 * top[i &+ d2]
            let centre = w3 * middle[i] + w4 * middle[i &+ d1] + w5 * middle[i &+ d2]
            let lower = w6 * bottom[i] + w7 * bottom[i &+ d1] + w8 * bottom[i &+ d2]
            out[x] = start + upper + centre + lower
        }
    }

    /// One output pixel summed tap by tap, skipping taps that fall in the padding.
    @inline(__always)
    private static func borderPixel(_ g: ConvolutionGeometry, _ source: UnsafePointer<Float>,
                                    _ filter: UnsafePointer<Float>, _ validColumns: [Range<Int>],
                                    _ y: Int, _ x: Int, _ start: Float) -> Float {
        var total = start
        for ky in 0..<g.kernel.height {
            guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
            for kx in 0..<g.kernel.width where validColumns[kx].contains(x) {
                let column = x * g.stride.width + kx * g.dilation.width - g.padding.width
                total += filter[ky * g.kernel.width + kx] * source[inputRow * g.inWidth + column]
            }
        }
        return total
    }

    /// The gradient with respect to the input: every output gradient, times each tap's weight,
    /// added back to the pixel the tap read. One task per input plane (it owns its writes).
    package static func inputGradient(_ g: ConvolutionGeometry, upstream: UnsafePointer<Float>,
                                      weight: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>) {
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        ReductionKernels.forEachOuter(g.batch * g.inChannels, work: g.outPlane * g.taps * multiplier) { planeIndex in
            let n = planeIndex / g.inChannels, c = planeIndex % g.inChannels
            let plane = inputGradient + planeIndex * g.inPlane
            plane.update(repeating: 0, count: g.inPlane)
            for o in c * multiplier..<(c + 1) * multiplier {
                let gradient = upstream + (n * g.outChannels + o) * g.outPlane
                let filter = weight + o * g.taps
                for y in 0..<g.outHeight {
                    let row = gradient + y * width
                    for ky in 0..<g.kernel.height {
                        guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                        for kx in 0..<g.kernel.width {
                            let w = filter[ky * g.kernel.width + kx]
                            let line = plane + inputRow * g.inWidth + kx * g.dilation.width - g.padding.width
                            if stride == 1 {
                                for x in validColumns[kx] { line[x] += w * row[x] }
                            } else {
                                for x in validColumns[kx] { line[x &* stride] += w * row[x] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gradient with respect to the weight: for each output channel and tap, the sum over
    /// the batch of output gradient times the pixel the tap read. One task per output channel;
    /// products are first added into one row per tap (vectorised), then each row is summed.
    package static func weightGradient(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                       upstream: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>) {
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        ReductionKernels.forEachOuter(g.outChannels, work: g.batch * g.outPlane * g.taps) { o in
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: g.taps * width)
            defer { rows.deallocate() }
            rows.initialize(repeating: 0, count: g.taps * width)
            for n in 0..<g.batch {
                let source = input + (n * g.inChannels + o / multiplier) * g.inPlane
                let gradient = upstream + (n * g.outChannels + o) * g.outPlane
                for y in 0..<g.outHeight {
                    let row = gradient + y * width
                    for ky in 0..<g.kernel.height {
                        guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                        for kx in 0..<g.kernel.width {
                            let sums = rows + (ky * g.kernel.width + kx) * width
                            let line = source + inputRow * g.inWidth + kx * g.dilation.width - g.padding.width
                            if stride == 1 {
                                for x in validColumns[kx] { sums[x] += row[x] * line[x] }
                            } else {
                                for x in validColumns[kx] { sums[x] += row[x] * line[x &* stride] }
                            }
                        }
                    }
                }
            }
            for tap in 0..<g.taps {
                weightGradient[o * g.taps + tap] = ReductionKernels.contiguousSum(rows + tap * width, count: width)
            }
        }
    }
}
