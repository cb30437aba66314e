/// Exact sorting of millions of (score, payload) pairs in linear time and memory.
///
/// A pair is packed into one `UInt64`: the high 32 bits are the score as an order key, the low
/// 32 bits a payload (a region label). A least-significant-digit radix sort on the high 32 bits
/// (three passes of 11, 11 and 10 bits; a pass whose digit is the same for every element is
/// skipped) orders the pairs by descending score. It needs one scratch buffer of the same size and
/// no comparison, and equal scores stay together, which is all the threshold sweeps need.
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

    /// Sorts `pairs` by their high 32 bits, ascending (that is, by descending score).
    static func sortByKey(_ pairs: inout [UInt64]) {
        let count = pairs.count
        guard count > 1 else { return }
        let digits: [(shift: UInt64, bits: Int)] = [(32, 11), (43, 11), (54, 10)]
        var scratch = [UInt64](repeating: 0, count: count)
        pairs.withUnsafeMutableBufferPointer { pairsBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                guard var source = pairsBuffer.baseAddress, var target = scratchBuffer.baseAddress else { return }
                // One read of the data counts the digits of every pass.
                var histograms = [Int](repeating: 0, count: 3 * 2048)
                histograms.withUnsafeMutableBufferPointer { counts in
                    guard let counts = counts.baseAddress else { return }
                    for i in 0..<count {
                        let key = Int(truncatingIfNeeded: source[i] >> 32)
                        counts[key & 2047] += 1
                        counts[2048 + (key >> 11) & 2047] += 1
                        counts[4096 + (key >> 22) & 1023] += 1
                    }
                }
                for (pass, digit) in digits.enumerated() {
                    let histogram = Array(histograms[(pass * 2048)..<(pass * 2048 + 2048)])
                    if histogram.contains(count) { continue }  // every element has the same digit
                    scatter(source, target, count, digit.shift, UInt64((1 << digit.bits) - 1), histogram)
                    swap(&source, &target)
                }
                if source != pairsBuffer.baseAddress {
                    pairsBuffer.baseAddress?.update(from: source, count: count)
                }
            }
        }
    }

    /// One stable counting-sort pass on the digit `(value >> shift) & mask`.
    private static func scatter(_ source: UnsafeMutablePointer<UInt64>, _ target: UnsafeMutablePointer<UInt64>,
                                _ count: Int, _ shift: UInt64, _ mask: UInt64, _ histogram: [Int]) {
        var offsets = [Int](repeating: 0, count: histogram.count)
        var running = 0
        for bucket in histogram.indices {
            offsets[bucket] = running
            running += histogram[bucket]
        }
        offsets.withUnsafeMutableBufferPointer { offsets in
            for i in 0..<count {
                let value = source[i]
                let bucket = Int((value >> shift) & mask)
                target[offsets[bucket]] = value
                offsets[bucket] += 1
            }
        }
    }
}
