/// Reductions over the middle axis of an array viewed as `[outer, reduced, inner]` blocks, which
/// covers every reduction over one contiguous run of axes without copying.
///
/// With `inner == 1` each output is a contiguous row, summed with SIMD accumulators; otherwise the
/// loop runs over `inner` for each reduced index, which the compiler vectorises.
package enum ReductionKernels {
    /// Below this many input elements the work is done on the calling thread.
    static let parallelThreshold = 1 << 16

    /// `output[o, i] = Σ_r input[o, r, i]`.
    package static func sum(_ input: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                            into output: UnsafeMutablePointer<Float>) {
        forEachOuter(outer, work: reduced * inner) { o in
            let block = input + o * reduced * inner, out = output + o * inner
            if inner == 1 {
                out[0] = contiguousSum(block, count: reduced)
                return
            }
            for i in 0..<inner { out[i] = 0 }
            for r in 0..<reduced {
                let row = block + r * inner
                for i in 0..<inner { out[i] += row[i] }
            }
        }
    }

    /// `output[o, i] = max_r input[o, r, i]` (or min when `largest` is false); NaN propagates.
    /// `reduced` must be at least 1.
    package static func extreme(_ input: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                                largest: Bool, into output: UnsafeMutablePointer<Float>) {
        if largest {
            extreme(input, outer: outer, reduced: reduced, inner: inner, largest: true, into: output) { $0 > $1 || $0.isNaN }
        } else {
            extreme(input, outer: outer, reduced: reduced, inner: inner, largest: false, into: output) { $0 < $1 || $0.isNaN }
        }
    }

    @inline(__always)
    private static func extreme(_ input: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                                largest: Bool, into output: UnsafeMutablePointer<Float>,
                                replaces: (Float, Float) -> Bool) {
        forEachOuter(outer, work: reduced * inner) { o in
            let block = input + o * reduced * inner, out = output + o * inner
            if inner == 1 {
                out[0] = contiguousExtreme(block, count: reduced, largest: largest, replaces: replaces)
                return
            }
            for i in 0..<inner { out[i] = block[i] }
            for r in 1..<reduced {
                let row = block + r * inner
                for i in 0..<inner { out[i] = replaces(row[i], out[i]) ? row[i] : out[i] }
            }
        }
    }

    /// The gradient of a max or min: `upstream[o, i]` split evenly among the reduced positions
    /// whose value equals `result[o, i]` (PyTorch's `amax`/`amin` rule for ties).
    package static func extremeGradient(_ input: UnsafePointer<Float>, result: UnsafePointer<Float>,
                                        upstream: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                                        into gradient: UnsafeMutablePointer<Float>) {
        forEachOuter(outer, work: reduced * inner) { o in
            let block = input + o * reduced * inner, grad = gradient + o * reduced * inner
            let best = result + o * inner, g = upstream + o * inner
            // First pass counts the ties of each output, second pass hands out the shares.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: inner) { ties in
                for i in 0..<inner { ties[i] = 0 }
                for r in 0..<reduced {
                    let row = block + r * inner
                    for i in 0..<inner { ties[i] += row[i] == best[i] ? 1 : 0 }
                }
                for i in 0..<inner { ties[i] = ties[i] > 0 ? g[i] / ties[i] : 0 }
                for r in 0..<reduced {
                    let row = block + r * inner, out = grad + r * inner
                    for i in 0..<inner { out[i] = row[i] == best[i] ? ties[i] : 0 }
                }
            }
        }
    }

    /// The sum of `count` contiguous floats, with eight SIMD lanes times four accumulators
    /// (which also keeps rounding error lower than one running sum).
    @inline(__always)
    package static func contiguousSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
        let raw = UnsafeRawPointer(x)
        let stride = MemoryLayout<SIMD8<Float>>.stride
        var i = 0
        while i + 32 <= count {
            a += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            b += raw.loadUnaligned(fromByteOffset: i * 4 + stride, as: SIMD8<Float>.self)
            c += raw.loadUnaligned(fromByteOffset: i * 4 + 2 * stride, as: SIMD8<Float>.self)
            d += raw.loadUnaligned(fromByteOffset: i * 4 + 3 * stride, as: SIMD8<Float>.self)
            i += 32
        }
        var total = ((a + b) + (c + d)).sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// The maximum of `count >= 1` contiguous floats, NaN if any is NaN.
    package static func contiguousMaximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        contiguousExtreme(x, count: count, largest: true) { $0 > $1 || $0.isNaN }
    }

    /// The maximum (or minimum) of `count >= 1` contiguous floats, NaN if any is NaN: eight SIMD
    /// lanes keep running extremes, and a separate mask remembers NaNs (which comparisons skip).
    /// `replaces(a, b)` is true when `a` should replace the extreme `b` found so far.
    @inline(__always)
    private static func contiguousExtreme(_ x: UnsafePointer<Float>, count: Int, largest: Bool,
                                          replaces: (Float, Float) -> Bool) -> Float {
        var best = x[0]
        var i = 0
        if count >= 8 {
            let raw = UnsafeRawPointer(x)
            var lanes = raw.loadUnaligned(as: SIMD8<Float>.self)
            var sawNaN = lanes .!= lanes
            i = 8
            while i + 8 <= count {
                let values = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                sawNaN .|= values .!= values
                let better = largest ? values .> lanes : values .< lanes
                lanes.replace(with: values, where: better)
                i += 8
            }
            if any(sawNaN) { return .nan }
            best = lanes[0]
            for lane in 1..<8 where replaces(lanes[lane], best) { best = lanes[lane] }
        }
        while i < count {
            if replaces(x[i], best) { best = x[i] }
            i += 1
        }
        return best
    }

    /// Runs `body(o)` for every outer block, in parallel when there is enough work.
    @inline(__always)
    package static func forEachOuter(_ outer: Int, work: Int, _ body: (Int) -> Void) {
        if outer > 1 && outer * work >= parallelThreshold {
            Threads.parallelFor(outer, body)
        } else {
            for o in 0..<outer { body(o) }
        }
    }
}
