/// Operations that change a tensor's shape or axis order but not its values, each differentiable.
///
/// Reshapes share storage (no copy); permutes and broadcasts copy once.
///
/// ```swift
/// let x = Tensor.zeros([2, 3, 4])
/// try x.reshaped([6, -1]).shape          // [6, 4]
/// try x.permuted([2, 0, 1]).shape        // [4, 2, 3]
/// try x.flattened().shape                // [2, 12]
/// try x.unsqueezed(axis: 0).shape        // [1, 2, 3, 4]
/// ```
extension Tensor {
    /// The same elements in row-major order under a new shape; one size may be -1 (inferred).
    /// - Throws: ``TensorError`` when the element counts differ, more than one size is -1, or a
    ///   size is negative.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try Tensor.resolvedShape(newShape, count: count, from: shape)
        return Tensor.recording(Tensor(shape: resolved, storage: storage), "reshape", inputs: [self]) { [shape] g, _ in
            [Tensor(shape: shape, storage: g.storage)]
        }
    }

    /// The axes reordered: axis `i` of the result is axis `axes[i]` of this tensor.
    /// - Throws: ``TensorError`` when `axes` is not a permutation of `0..<rank` (negative axes allowed).
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let order = try Tensor.normalizedAxes(axes, rank: rank, "permute")
        guard axes.count == rank, order == Array(0..<rank) else {
            throw TensorError(.invalidArgument, "permute", "axes \(axes) are not a permutation of the axes of shape \(shape)")
        }
        let permutation = try axes.map { try Tensor.normalizedAxis($0, rank: rank, "permute") }
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in permutation.enumerated() { inverse[axis] = position }
        return Tensor.recording(permutedCopy(permutation), "permute", inputs: [self]) { [inverse] g, _ in
            [g.permutedCopy(inverse)]
        }
    }

    /// The matrix transpose of a rank-2 tensor.
    /// - Throws: ``TensorError`` unless the tensor has rank 2.
    public func transposed() throws -> Tensor {
        guard rank == 2 else {
            throw TensorError(.invalidArgument, "transpose", "needs a rank-2 tensor, got shape \(shape)")
        }
        return try permuted([1, 0])
    }

    /// Removes the axis `axis`, which must have size 1.
    /// - Throws: ``TensorError`` when the axis is out of range or its size is not 1.
    public func squeezed(axis: Int) throws -> Tensor {
        let resolved = try Tensor.normalizedAxis(axis, rank: rank, "squeeze")
        guard shape[resolved] == 1 else {
            throw TensorError(.invalidArgument, "squeeze", "axis \(axis) of shape \(shape) has size \(shape[resolved]), not 1")
        }
        var newShape = shape
        newShape.remove(at: resolved)
        return try reshaped(newShape)
    }

    /// Inserts an axis of size 1 at position `axis` of the result (`-1` appends one at the end).
    /// - Throws: ``TensorError`` when `axis` is outside `-(rank + 1)...rank`.
    public func unsqueezed(axis: Int) throws -> Tensor {
        let resolved = try Tensor.normalizedAxis(axis, rank: rank + 1, "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: resolved)
        return try reshaped(newShape)
    }

    /// All axes from `fromAxis` on merged into one: `[N, C, H, W]` becomes `[N, C·H·W]`.
    /// - Throws: ``TensorError`` when `fromAxis` is out of range.
    public func flattened(fromAxis: Int = 1) throws -> Tensor {
        let start = try Tensor.normalizedAxis(fromAxis, rank: rank, "flatten")
        return try reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// A copy broadcast to `target` (NumPy rules: size-1 or missing leading axes repeat).
    /// The gradient sums over the repeated axes.
    /// - Throws: ``TensorError`` when the shape does not broadcast to `target`.
    public func expanded(to target: [Int]) throws -> Tensor {
        guard try Broadcast.shape(shape, target, "expand") == target else {
            throw TensorError.shapes("expand", [shape, target], "do not broadcast to the second")
        }
        let strides = Broadcast.strides(of: shape, broadcastTo: target)
        let result = Tensor(shape: target) { out in
            guard let base = out.baseAddress else { return }
            ElementwiseCopy.gather(from: storage.base, sourceStrides: strides, into: base, shape: target)
        }
        return Tensor.recording(result, "expand", inputs: [self]) { [shape] g, _ in [g.summed(toShape: shape)] }
    }

    /// The axes reordered by an already validated permutation; records nothing.
    package func permutedCopy(_ permutation: [Int]) -> Tensor {
        if permutation == Array(0..<rank) { return detached }
        let sourceStrides = ElementwiseCopy.rowMajorStrides(shape)
        let newShape = permutation.map { shape[$0] }
        return Tensor(shape: newShape) { out in
            guard let base = out.baseAddress else { return }
            ElementwiseCopy.gather(from: storage.base, sourceStrides: permutation.map { sourceStrides[$0] },
                                   into: base, shape: newShape)
        }
    }

    /// `shape` with its one -1 replaced so that it holds `count` elements.
    static func resolvedShape(_ shape: [Int], count: Int, from original: [Int]) throws -> [Int] {
        let inferred = shape.indices.filter { shape[$0] == -1 }
        let known = shape.filter { $0 != -1 }
        guard inferred.count <= 1, known.allSatisfy({ $0 >= 0 }) else {
            throw TensorError(.invalidArgument, "reshape", "shape \(shape) may hold one -1 and no other negative size")
        }
        let product = known.reduce(1, *)
        var resolved = shape
        if let axis = inferred.first {
            guard product > 0, count % product == 0 else {
                throw TensorError(.shapeMismatch, "reshape", "cannot reshape \(original) (\(count) elements) to \(shape)")
            }
            resolved[axis] = count / product
        } else if product != count {
            throw TensorError(.shapeMismatch, "reshape", "cannot reshape \(original) (\(count) elements) to \(shape)")
        }
        return resolved
    }
}
