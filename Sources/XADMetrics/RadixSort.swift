import XADTensor

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
    ///
    /// Each pass splits the data into one chunk per thread: the threads count their chunk's digits,
    /// the counts give every (digit, chunk) its place in the output, and the threads scatter their
    /// chunks at once. Chunks are taken in order, so every pass stays stable.
    static func sort<Element: FixedWidthInteger & UnsignedInteger>(_ values: inout [Element], keyShift: Int) {
        let count = values.count
        guard count > 1 else { return }
        let chunks = count < 1 << 16 ? 1 : Threads.count
        // Every pass writes all of the scratch before reading it, so it needs no zero fill.
        var scratch = [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        var counts = [Int](repeating: 0, count: chunks * 2048)
        values.withUnsafeMutableBufferPointer { valuesBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                counts.withUnsafeMutableBufferPointer { countsBuffer in
                    guard var source = valuesBuffer.baseAddress, var target = scratchBuffer.baseAddress,
                          let counts = countsBuffer.baseAddress else { return }
                    for digitShift in [0, 11, 22] {
                        let shift = keyShift + digitShift
                        if !pass(source, target, count, shift, chunks, counts) { continue }
                        swap(&source, &target)
                    }
                    if source != valuesBuffer.baseAddress {
                        valuesBuffer.baseAddress?.update(from: source, count: count)
                    }
                }
            }
        }
    }

    /// One stable counting-sort pass on the digit `(value >> shift) & 2047`, from `source` into
    /// `target`; returns false (and moves nothing) when every element has the same digit.
    private static func pass<Element: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeMutablePointer<Element>, _ target: UnsafeMutablePointer<Element>,
        _ count: Int, _ shift: Int, _ chunks: Int, _ counts: UnsafeMutablePointer<Int>
    ) -> Bool {
        func bounds(_ chunk: Int) -> Range<Int> { (count * chunk / chunks)..<(count * (chunk + 1) / chunks) }
        counts.update(repeating: 0, count: chunks * 2048)
        Threads.parallelFor(chunks) { chunk in
            let histogram = counts + chunk * 2048
            for i in bounds(chunk) { histogram[Int(truncatingIfNeeded: source[i] >> shift) & 2047] += 1 }
        }
        for digit in 0..<2048 {
            let total = (0..<chunks).reduce(0) { $0 + counts[$1 * 2048 + digit] }
            if total == count { return false }  // every element has this digit
            if total > 0 { break }
        }
        // Turn counts into write positions: digit-major, then chunk order.
        var running = 0
        for digit in 0..<2048 {
            for chunk in 0..<chunks {
                let slot = counts + chunk * 2048 + digit
                let size = slot.pointee
                slot.pointee = running
                running += size
            }
        }
        Threads.parallelFor(chunks) { chunk in
            let offsets = counts + chunk * 2048
            for i in bounds(chunk) {
                let value = source[i]
                let digit = Int(truncatingIfNeeded: value >> shift) & 2047
                target[offsets[digit]] = value
                offsets[digit] += 1
            }
        }
        return true
    }
}
