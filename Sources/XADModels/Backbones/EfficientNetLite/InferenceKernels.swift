import XADTensor

/// In-place elementwise steps for the inference path, where a convolution's fresh output is
/// owned by nobody else: they save the allocation and the extra pass of the out-of-place ops
/// (which the gradient path uses, because they record).
enum InferenceKernels {
    /// `x = min(max(x, lower), upper)` elementwise (ReLU6 with 0 and 6).
    static func clampInPlace(_ x: inout Tensor, lower: Float, upper: Float) {
        x.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let pointer = UncheckedSendable(base)
            forEachChunk(buffer.count) { range in
                let values = pointer.value
                for i in range { values[i] = Swift.min(Swift.max(values[i], lower), upper) }
            }
        }
    }

    /// `x += other` elementwise; the shapes must be equal (checked by the caller's architecture).
    static func addInPlace(_ x: inout Tensor, _ other: Tensor) {
        other.withUnsafeBufferPointer { source in
            x.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, let addend = source.baseAddress,
                      buffer.count == source.count else { return }
                let pointer = UncheckedSendable(base), otherPointer = UncheckedSendable(addend)
                forEachChunk(buffer.count) { range in
                    let values = pointer.value, other = otherPointer.value
                    for i in range { values[i] += other[i] }
                }
            }
        }
    }

    /// Splits `0..<count` into one contiguous chunk per thread (one chunk when small).
    private static func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = count < 1 << 16 ? 1 : Threads.count
        Threads.parallelFor(chunks) { chunk in
            body(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
    }
}
