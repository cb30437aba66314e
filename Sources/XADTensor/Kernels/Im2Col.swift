/// Unfolding image patches into matrix columns (im2col) and folding them back (col2im), which
/// turn a convolution into one matrix product per image and group.
///
/// The column matrix of one image and group has `patchSize = Cg · kH · kW` rows and
/// `outHeight · outWidth` columns: row `(c, ky, kx)`, column `(y, x)` holds
/// `input[c, y·s + ky·d - p, x·s + kx·d - p]`, or 0 where that falls in the padding. Both
/// functions handle a block of output rows at a time, so that the workspace stays in cache.
package enum Im2Col {
    /// Writes the columns of output rows `outputRows` for the `inChannelsPerGroup` planes at
    /// `source` into `columns` (`patchSize x outputRows.count·outWidth`, row-major). Every
    /// element is written.
    package static func unfold(_ geometry: ConvolutionGeometry, source: UnsafePointer<Float>,
                               outputRows: Range<Int>, columns: UnsafeMutablePointer<Float>) {
        let g = geometry, validColumns = g.validColumns
        let width = g.outWidth, stride = g.stride.width, blockWidth = outputRows.count * width
        ReductionKernels.forEachOuter(g.patchSize, work: blockWidth) { row in
            let channel = row / g.taps, ky = row % g.taps / g.kernel.width, kx = row % g.kernel.width
            let plane = source + channel * g.inPlane
            let valid = validColumns[kx], offset = kx * g.dilation.width - g.padding.width
            var out = columns + row * blockWidth
            for y in outputRows {
                defer { out += width }
                guard let inputRow = g.inputRow(output: y, tap: ky) else {
                    out.update(repeating: 0, count: width)
                    continue
                }
                let line = plane + inputRow * g.inWidth + offset
                out.update(repeating: 0, count: valid.lowerBound)
                if stride == 1 {
                    (out + valid.lowerBound).update(from: line + valid.lowerBound, count: valid.count)
                } else {
                    for x in valid { out[x] = line[x &* stride] }
                }
                (out + valid.upperBound).update(repeating: 0, count: width - valid.upperBound)
            }
        }
    }

    /// Adds every entry of the columns of output rows `outputRows` back to the input pixel it was
    /// read from (the adjoint of ``unfold(_:source:outputRows:columns:)``): `destination`
    /// (`inChannelsPerGroup` planes) is accumulated into.
    package static func foldAdding(_ geometry: ConvolutionGeometry, columns: UnsafePointer<Float>,
                                   outputRows: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let g = geometry, validColumns = g.validColumns
        let width = g.outWidth, stride = g.stride.width, blockWidth = outputRows.count * width
        // One task per channel: the rows of a channel all add into the same plane.
        ReductionKernels.forEachOuter(g.inChannelsPerGroup, work: g.taps * blockWidth) { channel in
            let plane = destination + channel * g.inPlane
            for tap in 0..<g.taps {
                let ky = tap / g.kernel.width, kx = tap % g.kernel.width
                let valid = validColumns[kx], offset = kx * g.dilation.width - g.padding.width
                let rows = columns + (channel * g.taps + tap) * blockWidth
                for y in outputRows {
                    guard let inputRow = g.inputRow(output: y, tap: ky) else { continue }
                    let line = plane + inputRow * g.inWidth + offset
                    let column = rows + (y - outputRows.lowerBound) * width
                    if stride == 1 {
                        for x in valid { line[x] += column[x] }
                    } else {
                        for x in valid { line[x &* stride] += column[x] }
                    }
                }
            }
        }
    }
}
