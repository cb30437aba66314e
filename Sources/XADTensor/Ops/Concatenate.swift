/// Slicing, concatenation and constant padding: copies of rectangular boxes, each differentiable
/// (the gradient of one is the box copy the other way); and writing a box in place.
///
/// ```swift
/// let x = Tensor.ones([1, 3, 4, 4])
/// try x.sliced(axis: 1, range: 0..<2).shape                        // [1, 2, 4, 4]
/// try Tensor.concatenate([x, x], axis: 1).shape                    // [1, 6, 4, 4]
/// try x.padded([(0, 0), (0, 0), (1, 1), (2, 0)]).shape             // [1, 3, 6, 6]
/// ```
extension Tensor {
    /// The elements whose index along `axis` lies in `range` (negative `axis` counts from the end).
    /// - Throws: ``TensorError`` when the axis or the range is outside the shape.
    public func sliced(axis: Int, range: Range<Int>) throws -> Tensor {
        let resolved = try Tensor.normalizedAxis(axis, rank: rank, "slice")
        guard range.lowerBound >= 0, range.upperBound <= shape[resolved] else {
            throw TensorError(.invalidArgument, "slice", "range \(range) is outside axis \(axis) of shape \(shape)")
        }
        var origin = [Int](repeating: 0, count: rank)
        origin[resolved] = range.lowerBound
        var extent = shape
        extent[resolved] = range.count
        let result = boxCopy(origin: origin, extent: extent)
        return Tensor.recording(result, "slice", inputs: [self]) { [shape, origin] g, _ in
            [g.placed(in: shape, at: origin, fill: 0)]
        }
    }

    /// The tensors joined along `axis`; all other sizes must agree (negative `axis` allowed).
    /// - Throws: ``TensorError`` for an empty list, a bad axis, or shapes that differ off `axis`.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError(.invalidArgument, "concatenate", "needs at least one tensor")
        }
        let resolved = try normalizedAxis(axis, rank: first.rank, "concatenate")
        for tensor in tensors where tensor.rank != first.rank || tensor.shape.indices.contains(where: {
            $0 != resolved && tensor.shape[$0] != first.shape[$0]
        }) {
            throw TensorError.shapes("concatenate", tensors.map(\.shape), "differ off axis \(axis)")
        }
        var shape = first.shape
        shape[resolved] = tensors.reduce(0) { $0 + $1.shape[resolved] }
        var offsets = [0]
        for tensor in tensors.dropLast() { offsets.append(offsets[offsets.count - 1] + tensor.shape[resolved]) }
        let result = Tensor(shape: shape) { out in
            guard let base = out.baseAddress else { return }
            for (tensor, offset) in zip(tensors, offsets) {
                var origin = [Int](repeating: 0, count: shape.count)
                origin[resolved] = offset
                ElementwiseCopy.copyBox(from: tensor.storage.base, sourceShape: tensor.shape,
                                        sourceOrigin: [Int](repeating: 0, count: shape.count),
                                        into: base, destinationShape: shape, destinationOrigin: origin,
                                        extent: tensor.shape)
            }
        }
        return recording(result, "concatenate", inputs: tensors) { [offsets, shapes = tensors.map(\.shape)] g, needed in
            zip(shapes, offsets).enumerated().map { index, part in
                guard needed[index] else { return nil }
                var origin = [Int](repeating: 0, count: g.rank)
                origin[resolved] = part.1
                return g.boxCopy(origin: origin, extent: part.0)
            }
        }
    }

    /// The tensor surrounded by `value`: `padding[axis]` elements before and after along every
    /// axis (constant mode, like `F.pad(..., mode="constant")` with one pair per axis).
    /// - Throws: ``TensorError`` unless there is one non-negative pair per axis.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) throws -> Tensor {
        guard padding.count == rank, padding.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw TensorError(.invalidArgument, "pad",
                              "padding \(padding.map { [$0.before, $0.after] }) needs one non-negative pair per axis of shape \(shape)")
        }
        let origin = padding.map(\.before)
        let newShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        let result = placed(in: newShape, at: origin, fill: value)
        return Tensor.recording(result, "pad", inputs: [self]) { [shape] g, _ in
            [g.boxCopy(origin: origin, extent: shape)]
        }
    }

    /// Overwrites the box of `values.shape` that starts at `origin` with `values`:
    /// `self[origin + i] = values[i]`. In place when this value is its storage's only owner
    /// (copy-on-write otherwise), so a preallocated tensor can be filled batch by batch without
    /// ever holding the batches twice. Records nothing.
    ///
    /// ```swift
    /// var x = Tensor.zeros([2, 3])
    /// try x.replace(at: [1, 1], with: Tensor(shape: [1, 2], scalars: [7, 8]))
    /// x.scalars     // [0, 0, 0, 0, 7, 8]
    /// ```
    /// - Throws: ``TensorError`` when the ranks differ, the box does not fit inside this tensor,
    ///   or either tensor is tracked by a tape.
    public mutating func replace(at origin: [Int], with values: Tensor) throws {
        guard origin.count == rank, values.rank == rank,
              zip(origin, zip(values.shape, shape)).allSatisfy({ $0 >= 0 && $0 + $1.0 <= $1.1 }) else {
            throw TensorError(.invalidArgument, "replace", "a box of shape \(values.shape) at \(origin) does not fit in shape \(shape)")
        }
        guard !isTracked, !values.isTracked else {
            throw TensorError(.notDifferentiable, "replace", "writes in place and records nothing; use concatenate on a tape")
        }
        let shape = self.shape
        withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            ElementwiseCopy.copyBox(from: values.storage.base, sourceShape: values.shape,
                                    sourceOrigin: [Int](repeating: 0, count: shape.count),
                                    into: base, destinationShape: shape, destinationOrigin: origin, extent: values.shape)
        }
    }

    /// The box of size `extent` starting at `origin`; records nothing. The box must fit.
    func boxCopy(origin: [Int], extent: [Int]) -> Tensor {
        Tensor(shape: extent) { out in
            guard let base = out.baseAddress else { return }
            ElementwiseCopy.copyBox(from: storage.base, sourceShape: shape, sourceOrigin: origin,
                                    into: base, destinationShape: extent,
                                    destinationOrigin: [Int](repeating: 0, count: rank), extent: extent)
        }
    }

    /// A `shape` tensor filled with `fill` with this tensor copied in at `origin`; records nothing.
    func placed(in shape: [Int], at origin: [Int], fill: Float) -> Tensor {
        Tensor(shape: shape) { out in
            guard let base = out.baseAddress else { return }
            out.initialize(repeating: fill)
            ElementwiseCopy.copyBox(from: storage.base, sourceShape: self.shape,
                                    sourceOrigin: [Int](repeating: 0, count: rank),
                                    into: base, destinationShape: shape, destinationOrigin: origin,
                                    extent: self.shape)
        }
    }
}
