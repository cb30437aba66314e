/// The sizes of one pooling over NCHW arrays: `planes = N·C` independent `height x width`
/// planes, each reduced to `outHeight x outWidth` by windows of `kernel` at `stride` with
/// `padding` (windows are clipped to the plane; padding is never read).
package struct PoolingGeometry: Sendable {
    package var planes: Int
    package var height: Int
    package var width: Int
    package var outHeight: Int
    package var outWidth: Int
    package var kernel: Size2
    package var stride: Size2
    package var padding: Size2

    package var plane: Int { height * width }
    package var outPlane: Int { outHeight * outWidth }

    /// The rows (or columns) of window `o`, clipped to `0..<size`.
    @inline(__always)
    static func window(_ o: Int, stride: Int, padding: Int, kernel: Int, size: Int) -> Range<Int> {
        let start = o * stride - padding
        return Swift.max(start, 0)..<Swift.max(Swift.min(start + kernel, size), Swift.max(start, 0))
    }

    @inline(__always) func rows(_ y: Int) -> Range<Int> {
        Self.window(y, stride: stride.height, padding: padding.height, kernel: kernel.height, size: height)
    }

    @inline(__always) func columns(_ x: Int) -> Range<Int> {
        Self.window(x, stride: stride.width, padding: padding.width, kernel: kernel.width, size: width)
    }
}

/// Max, average and adaptive average pooling, forward and backward; one task per plane.
package enum PoolingKernels {
    /// The offset in its plane of the largest value of window `(y, x)`: the first one on ties,
    /// a NaN if there is one (PyTorch's rule). Windows are never empty (padding ≤ kernel / 2).
    @inline(__always)
    private static func argmax(_ g: PoolingGeometry, _ plane: UnsafePointer<Float>, _ y: Int, _ x: Int) -> Int {
        let rows = g.rows(y), columns = g.columns(x)
        var best = rows.lowerBound * g.width + columns.lowerBound
        var largest = -Float.infinity
        for row in rows {
            for column in columns {
                let value = plane[row * g.width + column]
                if value > largest || value.isNaN {
                    largest = value
                    best = row * g.width + column
                }
            }
        }
        return best
    }

    package static func maxForward(_ g: PoolingGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let plane = input + p * g.plane, out = output + p * g.outPlane
            for y in 0..<g.outHeight {
                for x in 0..<g.outWidth { out[y * g.outWidth + x] = plane[argmax(g, plane, y, x)] }
            }
        }
    }

    /// Routes each output gradient to the input that was the window's maximum.
    package static func maxBackward(_ g: PoolingGeometry, input: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
                                    into inputGradient: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let plane = input + p * g.plane, gradient = upstream + p * g.outPlane
            let target = inputGradient + p * g.plane
            target.update(repeating: 0, count: g.plane)
            for y in 0..<g.outHeight {
                for x in 0..<g.outWidth { target[argmax(g, plane, y, x)] += gradient[y * g.outWidth + x] }
            }
        }
    }

    /// The number an average window divides by: the full kernel area clipped to the padded plane
    /// when padding counts, else only the pixels inside the plane (PyTorch's rule).
    @inline(__always)
    private static func divisor(_ g: PoolingGeometry, _ y: Int, _ x: Int, countIncludePadding: Bool) -> Float {
        if countIncludePadding {
            let top = y * g.stride.height - g.padding.height, left = x * g.stride.width - g.padding.width
            let bottom = Swift.min(top + g.kernel.height, g.height + g.padding.height)
            let right = Swift.min(left + g.kernel.width, g.width + g.padding.width)
            return Float((bottom - top) * (right - left))
        }
        return Float(g.rows(y).count * g.columns(x).count)
    }

    package static func averageForward(_ g: PoolingGeometry, countIncludePadding: Bool,
                                       input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let plane = input + p * g.plane, out = output + p * g.outPlane
            for y in 0..<g.outHeight {
                let rows = g.rows(y)
                for x in 0..<g.outWidth {
                    let columns = g.columns(x)
                    var total: Float = 0
                    for row in rows {
                        for column in columns { total += plane[row * g.width + column] }
                    }
                    out[y * g.outWidth + x] = total / divisor(g, y, x, countIncludePadding: countIncludePadding)
                }
            }
        }
    }

    /// Spreads each output gradient evenly (by the same divisor) over its window.
    package static func averageBackward(_ g: PoolingGeometry, countIncludePadding: Bool, upstream: UnsafePointer<Float>,
                                        into inputGradient: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let gradient = upstream + p * g.outPlane, target = inputGradient + p * g.plane
            target.update(repeating: 0, count: g.plane)
            for y in 0..<g.outHeight {
                let rows = g.rows(y)
                for x in 0..<g.outWidth {
                    let columns = g.columns(x)
                    let share = gradient[y * g.outWidth + x] / divisor(g, y, x, countIncludePadding: countIncludePadding)
                    for row in rows {
                        for column in columns { target[row * g.width + column] += share }
                    }
                }
            }
        }
    }

    /// The input rows of adaptive output row `o` of `outSize`: `floor(o·size/outSize) ..< ceil((o+1)·size/outSize)`.
    @inline(__always)
    static func adaptiveWindow(_ o: Int, size: Int, outSize: Int) -> Range<Int> {
        (o * size / outSize)..<(((o + 1) * size + outSize - 1) / outSize)
    }

    /// Adaptive average pooling (`g.kernel`, `g.stride` and `g.padding` are unused).
    package static func adaptiveAverageForward(_ g: PoolingGeometry, input: UnsafePointer<Float>,
                                               output: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let plane = input + p * g.plane, out = output + p * g.outPlane
            for y in 0..<g.outHeight {
                let rows = adaptiveWindow(y, size: g.height, outSize: g.outHeight)
                for x in 0..<g.outWidth {
                    let columns = adaptiveWindow(x, size: g.width, outSize: g.outWidth)
                    var total: Float = 0
                    for row in rows {
                        for column in columns { total += plane[row * g.width + column] }
                    }
                    out[y * g.outWidth + x] = total / Float(rows.count * columns.count)
                }
            }
        }
    }

    package static func adaptiveAverageBackward(_ g: PoolingGeometry, upstream: UnsafePointer<Float>,
                                                into inputGradient: UnsafeMutablePointer<Float>) {
        ReductionKernels.forEachOuter(g.planes, work: g.plane) { p in
            let gradient = upstream + p * g.outPlane, target = inputGradient + p * g.plane
            target.update(repeating: 0, count: g.plane)
            for y in 0..<g.outHeight {
                let rows = adaptiveWindow(y, size: g.height, outSize: g.outHeight)
                for x in 0..<g.outWidth {
                    let columns = adaptiveWindow(x, size: g.width, outSize: g.outWidth)
                    let share = gradient[y * g.outWidth + x] / Float(rows.count * columns.count)
                    for row in rows {
                        for column in columns { target[row * g.width + column] += share }
                    }
                }
            }
        }
    }
}
