/// Direct kernels for convolutions in which every output channel reads one input channel
/// (``ConvolutionGeometry/isDepthwise``; output channel `o` reads input channel `o / multiplier`).
///
/// Each task owns one output (or input) plane and sweeps it row by row: for every kernel tap the
/// row is updated over the tap's interior range (``ConvolutionGeometry/validColumns``), a loop
/// without branches that the compiler vectorises. Padding is skipped, never read.
package enum DepthwiseConvolution {
    /// `output = conv(input, weight) + bias` for the depthwise geometry `g`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                output: UnsafeMutablePointer<Float>) {
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        ReductionKernels.forEachOuter(g.batch * g.outChannels, work: g.outPlane * g.taps) { planeIndex in
            let n = planeIndex / g.outChannels, o = planeIndex % g.outChannels
            let source = input + (n * g.inChannels + o / multiplier) * g.inPlane
            let filter = weight + o * g.taps
            let start = bias?[o] ?? 0
            for y in 0..<g.outHeight {
                let out = output + planeIndex * g.outPlane + y * width
                out.update(repeating: start, count: width)
                for ky in 0..<g.kernel.height {
                    guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                    for kx in 0..<g.kernel.width {
                        let w = filter[ky * g.kernel.width + kx]
                        let line = source + inputRow * g.inWidth + kx * g.dilation.width - g.padding.width
                        if stride == 1 {
                            for x in validColumns[kx] { out[x] += w * line[x] }
                        } else {
                            for x in validColumns[kx] { out[x] += w * line[x * stride] }
                        }
                    }
                }
            }
        }
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
                                for x in validColumns[kx] { line[x * stride] += w * row[x] }
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
                                for x in validColumns[kx] { sums[x] += row[x] * line[x * stride] }
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
