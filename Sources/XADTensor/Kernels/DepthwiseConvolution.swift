import CXADKernels

/// Direct kernels for convolutions in which every output channel reads one input channel
/// (``ConvolutionGeometry/isDepthwise``; output channel `o` reads input channel `o / multiplier`).
///
/// Each task owns one output (or input) plane and sweeps it row by row: for every kernel tap the
/// row is updated over the tap's interior range (``ConvolutionGeometry/validColumns``), a loop
/// without branches that the compiler vectorises. Padding is skipped, never read.
package enum DepthwiseConvolution {
    /// `output = conv(input, weight) + bias` for the depthwise geometry `g`.
    ///
    /// Square 3x3 and 5x5 kernels at stride 1 or 2 without dilation (every depthwise layer of the
    /// EfficientNet backbones) run the C kernel `xad_depthwise_plane` on AVX2 and AVX-512 CPUs
    /// (``CPULevel``); the rest, and every geometry on other CPUs, the Swift loops below.
    ///
    /// At stride 2 each input plane is first split into even and odd columns, so that every tap
    /// reads contiguous memory. 3x3 kernels at stride 1 or 2 take a fused path on rows where all
    /// three input rows exist: the nine products of each interior pixel are summed in registers
    /// and stored once; the few border pixels are summed tap by tap. Other rows and kernels add
    /// one tap at a time over the tap's interior columns.
    /// `level` picks the kernels (tests pass lower levels than ``CPULevel/current``); it is
    /// lowered to ``CPULevel/detected`` if above it.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                output: UnsafeMutablePointer<Float>, level: CPULevel = .current) {
        if forwardVectorised(g, input: input, weight: weight, bias: bias, output: output,
                             level: Swift.min(level, .detected)) { return }
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        // The columns where every horizontal tap reads inside the input row.
        let interior = validColumns.dropFirst().reduce(validColumns[0]) { $0.clamped(to: $1) }
        let fusable = g.kernel == 3 && !interior.isEmpty && stride <= 2
        ReductionKernels.forEachOuter(g.batch * g.outChannels, work: g.outPlane * g.taps) { planeIndex in
            let n = planeIndex / g.outChannels, o = planeIndex % g.outChannels
            let source = input + (n * g.inChannels + o / multiplier) * g.inPlane
            let filter = weight + o * g.taps
            let start = bias?[o] ?? 0
            let split = stride == 2 ? splitColumns(source, rows: g.inHeight, width: g.inWidth) : nil
            defer { split?.deallocate() }
            let plane = split.map { UnsafePointer($0) } ?? source
            func tapLine(_ row: Int, _ kx: Int) -> UnsafePointer<Float> {
                plane + tapOffset(g, row: row, kx: kx, split: split != nil)
            }
            for y in 0..<g.outHeight {
                let out = output + planeIndex * g.outPlane + y * width
                if fusable, let top = g.inputRow(output: y, tap: 0), let middle = g.inputRow(output: y, tap: 1),
                   let bottom = g.inputRow(output: y, tap: 2) {
                    let lines = (tapLine(top, 0), tapLine(top, 1), tapLine(top, 2),
                                 tapLine(middle, 0), tapLine(middle, 1), tapLine(middle, 2),
                                 tapLine(bottom, 0), tapLine(bottom, 1), tapLine(bottom, 2))
                    fused3x3(out, lines, filter, start: start, columns: interior)
                    for x in 0..<interior.lowerBound { out[x] = borderPixel(g, source, filter, validColumns, y, x, start) }
                    for x in interior.upperBound..<width { out[x] = borderPixel(g, source, filter, validColumns, y, x, start) }
                    continue
                }
                out.update(repeating: start, count: width)
                for ky in 0..<g.kernel.height {
                    guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                    for kx in 0..<g.kernel.width {
                        let w = filter[ky * g.kernel.width + kx], line = tapLine(inputRow, kx)
                        if stride <= 2 {
                            for x in validColumns[kx] { out[x] += w * line[x] }
                        } else {
                            for x in validColumns[kx] { out[x] += w * line[x &* stride] }
                        }
                    }
                }
            }
        }
    }

    /// Runs `xad_depthwise_plane` on every plane when it computes `g` at `level` (square 3x3 or
    /// 5x5 kernel, equal strides of 1 or 2, dilation 1, sizes that fit its `Int32` arguments;
    /// AVX2 or AVX-512); returns false, writing nothing, otherwise.
    private static func forwardVectorised(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                          output: UnsafeMutablePointer<Float>, level: CPULevel) -> Bool {
        let cLevel = xad_cpu_level(UInt32(level.rawValue))
        guard g.kernel.height == g.kernel.width, g.stride.height == g.stride.width, g.dilation == 1,
              let kernel = Int32(exactly: g.kernel.width), let stride = Int32(exactly: g.stride.width),
              xad_depthwise_plane_supports(cLevel, kernel, stride) != 0,
              let inHeight = Int32(exactly: g.inHeight), let inWidth = Int32(exactly: g.inWidth),
              let outHeight = Int32(exactly: g.outHeight), let outWidth = Int32(exactly: g.outWidth),
              let padTop = Int32(exactly: g.padding.height), let padLeft = Int32(exactly: g.padding.width)
        else { return false }
        let multiplier = g.outChannelsPerGroup
        ReductionKernels.forEachOuter(g.batch * g.outChannels, work: g.outPlane * g.taps) { planeIndex in
            let n = planeIndex / g.outChannels, o = planeIndex % g.outChannels
            xad_depthwise_plane(cLevel, input + (n * g.inChannels + o / multiplier) * g.inPlane, inHeight, inWidth,
                                weight + o * g.taps, kernel, bias?[o] ?? 0,
                                output + planeIndex * g.outPlane, outHeight, outWidth, stride, padTop, padLeft)
        }
        return true
    }

    /// `out[x] = start + Σ_k w[k] · lines.k[x]` over `columns`, all nine reads contiguous and
    /// inside the input: a branch-free loop that the compiler vectorises.
    @inline(__always)
    private static func fused3x3(
        _ out: UnsafeMutablePointer<Float>,
        _ lines: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                  UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                  UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        _ w: UnsafePointer<Float>, start: Float, columns: Range<Int>
    ) {
        let (a0, a1, a2, b0, b1, b2, c0, c1, c2) = lines
        let (w0, w1, w2, w3, w4, w5) = (w[0], w[1], w[2], w[3], w[4], w[5])
        let (w6, w7, w8) = (w[6], w[7], w[8])
        for x in columns {
            let upper = w0 * a0[x] + w1 * a1[x] + w2 * a2[x]
            let centre = w3 * b0[x] + w4 * b1[x] + w5 * b2[x]
            let lower = w6 * c0[x] + w7 * c1[x] + w8 * c2[x]
            out[x] = start + upper + centre + lower
        }
    }

    /// A copy of a plane with each row split into its even columns followed by its odd ones;
    /// the caller deallocates it.
    private static func splitColumns(_ source: UnsafePointer<Float>, rows: Int, width: Int) -> UnsafeMutablePointer<Float> {
        let split = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
        let evens = (width + 1) / 2
        for row in 0..<rows {
            let line = source + row * width, even = split + row * width, odd = even + evens
            for j in 0..<width / 2 {
                even[j] = line[j &* 2]
                odd[j] = line[j &* 2 &+ 1]
            }
            if width % 2 == 1 { even[evens - 1] = line[width - 1] }
        }
        return split
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
    /// added back to the pixel the tap read. One task per input plane (it owns its writes); at
    /// stride 2 the task adds into even/odd-split columns and merges them at the end.
    package static func inputGradient(_ g: ConvolutionGeometry, upstream: UnsafePointer<Float>,
                                      weight: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>) {
        let validColumns = g.validColumns, multiplier = g.outChannelsPerGroup
        let width = g.outWidth, stride = g.stride.width
        ReductionKernels.forEachOuter(g.batch * g.inChannels, work: g.outPlane * g.taps * multiplier) { planeIndex in
            let n = planeIndex / g.inChannels, c = planeIndex % g.inChannels
            let split = stride == 2 ? UnsafeMutablePointer<Float>.allocate(capacity: g.inPlane) : nil
            defer { split?.deallocate() }
            let plane = split ?? inputGradient + planeIndex * g.inPlane
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
                            let line = plane + tapOffset(g, row: inputRow, kx: kx, split: split != nil)
                            if stride <= 2 {
                                for x in validColumns[kx] { line[x] += w * row[x] }
                            } else {
                                for x in validColumns[kx] { line[x &* stride] += w * row[x] }
                            }
                        }
                    }
                }
            }
            if let split {
                mergeColumns(split, into: inputGradient + planeIndex * g.inPlane, rows: g.inHeight, width: g.inWidth)
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
                let split = stride == 2 ? splitColumns(source, rows: g.inHeight, width: g.inWidth) : nil
                defer { split?.deallocate() }
                let plane = split.map { UnsafePointer($0) } ?? source
                let gradient = upstream + (n * g.outChannels + o) * g.outPlane
                for y in 0..<g.outHeight {
                    let row = gradient + y * width
                    for ky in 0..<g.kernel.height {
                        guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                        for kx in 0..<g.kernel.width {
                            let sums = rows + (ky * g.kernel.width + kx) * width
                            let line = plane + tapOffset(g, row: inputRow, kx: kx, split: split != nil)
                            if stride <= 2 {
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

    /// Where tap `kx` of input row `row` is read for output column 0, as an offset into its plane.
    /// Output column `x` then reads offset + x at stride 1 or in a plane whose rows are split into
    /// even and odd columns (stride 2, ``splitColumns(_:rows:width:)``), offset + x·stride otherwise.
    @inline(__always)
    private static func tapOffset(_ g: ConvolutionGeometry, row: Int, kx: Int, split: Bool) -> Int {
        let offset = kx * g.dilation.width - g.padding.width
        guard split else { return row * g.inWidth + offset }
        // Column 2x + offset is even column x + offset/2, or odd column x + (offset - 1)/2.
        return row * g.inWidth + (offset % 2 == 0 ? offset / 2 : (g.inWidth + 1) / 2 + (offset - 1) / 2)
    }

    /// The inverse of ``splitColumns(_:rows:width:)``: interleaves even and odd columns back.
    private static func mergeColumns(_ split: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>,
                                     rows: Int, width: Int) {
        let evens = (width + 1) / 2
        for row in 0..<rows {
            let line = plane + row * width, even = split + row * width, odd = even + evens
            for j in 0..<width / 2 {
                line[j &* 2] = even[j]
                line[j &* 2 &+ 1] = odd[j]
            }
            if width % 2 == 1 { line[width - 1] = even[evens - 1] }
        }
    }
}
