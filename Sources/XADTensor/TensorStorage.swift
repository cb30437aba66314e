/// The memory behind a tensor: a 64-byte aligned Float32 buffer, owned, or borrowed from an
/// owner that keeps it alive (a memory-mapped weight file, say).
///
/// `Tensor` copies it before writing unless it is uniquely referenced and owned, which gives
/// tensors value semantics with copy-on-write.
package final class TensorStorage: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Float>
    package let count: Int
    /// Non-nil when the memory belongs to someone else; such storage is never written.
    package let owner: AnyObject?

    /// Uninitialised memory for `count` floats; the caller fills every element.
    package init(uninitializedCount count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        self.base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        self.count = count
        self.owner = nil
    }

    /// Borrowed memory; `owner` must keep `base` valid and unchanged for its lifetime.
    package init(borrowing base: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.base = base
        self.count = count
        self.owner = owner
    }

    package convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    package convenience init(copying buffer: UnsafeBufferPointer<Float>) {
        self.init(uninitializedCount: buffer.count)
        if let source = buffer.baseAddress { base.initialize(from: source, count: buffer.count) }
    }

    deinit {
        if owner == nil { UnsafeMutableRawPointer(base).deallocate() }
    }

    package var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: base, count: count) }
}
