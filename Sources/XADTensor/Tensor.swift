/// A dense, row-major Float32 array with a shape: the value every XADKit computation passes on.
///
/// Tensors are values: copying one is cheap and writing to a copy never changes the original
/// (copy-on-write). Images are NCHW. Operations that can fail on their operands' shapes throw
/// ``TensorError``; every operation is differentiable when its inputs are watched by a
/// ``GradientTape``, and records nothing otherwise.
///
/// ```swift
/// let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let y = try (x * 2).sum()          // 42
/// print(x[1, 2], y.scalar)           // 6.0 42.0
/// ```
public struct Tensor: Sendable {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    package private(set) var storage: TensorStorage
    /// Set when a ``GradientTape`` records operations on this value.
    package var tracking: Tracking?

    /// Wraps existing storage; `storage.count` must equal the shape's element count.
    package init(shape: [Int], storage: TensorStorage, tracking: Tracking? = nil) {
        self.shape = shape
        self.storage = storage
        self.tracking = tracking
    }

    /// A tensor of the given shape with its elements in row-major order.
    /// - Throws: ``TensorError`` when the number of scalars does not match the shape.
    public init(shape: [Int], scalars: [Float]) throws {
        try Tensor.validate(shape, "Tensor(shape:scalars:)")
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError(.shapeMismatch, "Tensor(shape:scalars:)",
                              "shape \(shape) holds \(shape.reduce(1, *)) elements, got \(scalars.count)")
        }
        self.init(shape: shape, storage: scalars.withUnsafeBufferPointer { TensorStorage(copying: $0) })
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, storage: TensorStorage(repeating: value, count: Swift.max(count, 0)))
    }

    /// A rank-0 tensor holding one number.
    public init(_ scalar: Float) {
        self.init(shape: [], repeating: scalar)
    }

    /// A new tensor whose elements are written by `fill`, which must set every one of them.
    package init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        try fill(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        self.init(shape: shape, storage: storage)
    }

    /// Zeros of the given shape.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// Ones of the given shape.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// The number of elements.
    public var count: Int { storage.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// All elements in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The only element of a tensor with one element (rank 0 or all sizes 1), else `nil`.
    public var scalar: Float? { count == 1 ? storage.base[0] : nil }

    /// True while a ``GradientTape`` records operations on this value.
    public var isTracked: Bool { tracking != nil }

    /// The same values, no longer recorded by any tape.
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// The element at a full index, for tests and small lookups.
    ///
    /// Traps on an index outside the shape, like `Array`'s subscript: library code that takes
    /// indices from users validates them first.
    public subscript(_ index: Int...) -> Float {
        storage.base[offset(of: index)]
    }

    /// The row-major offset of a full index.
    func offset(of index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var offset = 0
        for (i, size) in zip(index, shape) {
            precondition(i >= 0 && i < size, "index \(index) is outside shape \(shape)")
            offset = offset * size + i
        }
        return offset
    }

    /// Calls `body` with the elements in row-major order.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(storage.buffer)
    }

    /// Calls `body` with writable elements, copying them first unless this value is their only
    /// owner (copy-on-write).
    package mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) || storage.owner != nil {
            storage = TensorStorage(copying: storage.buffer)
        }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Checks that a shape has no negative size.
    static func validate(_ shape: [Int], _ operation: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError(.invalidArgument, operation, "shape \(shape) has a negative size")
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = count <= 16 ? "\(scalars)" : "[\(scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")), ...]"
        return "Tensor(shape: \(shape), \(shown))"
    }
}

extension Tensor {
    /// True when the shapes match and every pair of elements differs by at most
    /// `absolute + relative * |other|`.
    public func isApproximatelyEqual(to other: Tensor, absolute: Float = 1e-6, relative: Float = 1e-5) -> Bool {
        guard shape == other.shape else { return false }
        for (a, b) in zip(storage.buffer, other.storage.buffer) where !(Swift.abs(a - b) <= absolute + relative * Swift.abs(b)) {
            return false
        }
        return true
    }
}
