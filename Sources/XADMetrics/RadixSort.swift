/// Exact sorting of millions of (score, payload) pairs in linear time and memory.
///
/// A score becomes a 32-bit order key; a pair is packed into one `UInt64` (high 32 bits the key,
/// low 32 bits a payload such as a region label). A least-significant-digit radix sort on the key
/// (three passes of 11, 11 and 10 bits; a pass whose digit is the same for every element is
/// skipped) orders them by descending score. It needs one scratch buffer of the same size and no
/// comparison, and equal scores end up together, which is all the threshold sweeps need.
enum RadixSort {
    /// The key that sorts ascending when scores descend: IEEE-754 bits made monotone, then inverted.
    /// `-0` and `+0` map to the same key, so they form one tie group.
    @inline(__always)
    static func descendingKey(_ score: Float) -> UInt32 {
        let bits = (score + 0).bitPattern  // + 0 turns -0 into +0
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return ~ascending
    }

    /// The score whose ``descendingKey(_:)`` is `key`.
    @inline(__always)
    static func score(ofKey key: UInt32) -> Float {
        let ascending = ~key
        return Float(bitPattern: ascending & 0x8000_0000 != 0 ? ascending & 0x7FFF_FFFF : ~ascending)
    }

    /// Packs a score and a payload.
    @inline(__always)
    static func pack(_ score: Float, _ payload: UInt32) -> UInt64 {
        UInt64(descendingKey(score)) << 32 | UInt64(payload)
    }

    /// Sorts `values` ascending by the 32-bit key `value >> keyShift` (that is, by descending
    /// score): plain keys (`UInt32`, shift 0) or packed pairs (`UInt64`, shift 32).
    static func sort<Element: FixedWidthInteger & UnsignedInteger>(_ values: inout [Element], keyShift: Int) {
        let count = values.count
        guard count > 1 else { return }
        var scratch = [Element](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { valuesBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                guard var source = valuesBuffer.baseAddress, var target = scratchBuffer.baseAddress else { return }
                // One read of the data counts the digits of all three passes.
                var histograms = [Int](repeating: 0, count: 3 * 2048)
                histograms.withUnsafeMutableBufferPointer { counts in
                    guard let counts = counts.baseAddress else { return }
                    for i in 0..<count {
                        let key = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: source[i] >> keyShift))
                        counts[key & 2047] += 1
                        counts[2048 + (key >> 11) & 2047] += 1
                        counts[4096 + key >> 22] += 1
                    }
                }
                for (pass, digitShift) in [0, 11, 22].enumerated() {
                    let histogram = histograms[(pass * 2048)..<(pass * 2048 + 2048)]
                    if histogram.contains(count) { continue }  // every element has the same digit
                    scatter(source, target, count, keyShift + digitShift, Array(histogram))
                    swap(&source, &target)
                }
                if source != valuesBuffer.baseAddress {
                    valuesBuffer.baseAddress?.update(from: source, count: count)
                }
            }
        }
    }

    /// One stable counting-sort pass on the 11-bit digit `(value >> shift) & 2047`.
    private static func scatter<Element: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeMutablePointer<Element>, _ target: UnsafeMutablePointer<Element>,
        _ count: Int, _ shift: Int, _ histogram: [Int]
    ) {
        var offsets = [Int](repeating: 0, count: histogram.count)
        var running = 0
        for bucket in histogram.indices {
            offsets[bucket] = running
            running += histogram[bucket]
        }
        offsets.withUnsafeMutableBufferPointer { offsets in
            guard let offsets = offsets.baseAddress else { return }
            for i in 0..<count {
                let value = source[i]
                let bucket = Int(truncatingIfNeeded: value >> shift) & 2047
                target[offsets[bucket]] = value
                offsets[bucket] += 1
            }
        }
    }
}
