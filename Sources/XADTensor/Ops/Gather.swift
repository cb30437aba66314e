/// Copies that pick parts of a tensor by index: rows by their indices, channels into the
/// channels-last layout. Both differentiable: the gradient adds each copied value's upstream
/// gradient back where the value came from.
///
/// ```swift
/// let x = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
/// try x.rows(at: [2, 0]).scalars                                   // [5, 6, 1, 2]
/// try Tensor.ones([1, 4, 2, 2]).channelsLast(keeping: [3, 1]).shape // [1, 2, 2, 2]
/// ```
extension Tensor {
    /// The slices along the first axis at `indices`, in that order, repeats allowed:
    /// `result[i, ...] = self[indices[i], ...]`, shape `[indices.count] + shape[1...]`
    /// (`torch.index_select(x, 0, indices)`). A memory bank's chosen rows, or the bank rows
    /// nearest to each query.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    /// try x.rows(at: [2, 0, 2]).scalars     // [5, 6, 1, 2, 5, 6]
    /// ```
    /// - Throws: ``TensorError`` for a rank-0 tensor or an index outside `0..<shape[0]`.
    public func rows(at indices: [Int]) throws -> Tensor {
        guard rank >= 1 else { throw TensorError(.invalidArgument, "rows(at:)", "a scalar has no rows") }
        if let outside = indices.first(where: { $0 < 0 || $0 >= shape[0] }) {
            throw TensorError(.invalidArgument, "rows(at:)", "index \(outside) is outside the \(shape[0]) rows of shape \(shape)")
        }
        let width = shape.dropFirst().reduce(1, *)
        let result = Tensor(shape: [indices.count] + shape.dropFirst()) { out in
            guard let target = out.baseAddress else { return }
            for (row, index) in indices.enumerated() {
                (target + row * width).initialize(from: storage.base + index * width, count: width)
            }
        }
        return Tensor.recording(result, "rows", inputs: [self]) { [shape] g, _ in
            [Tensor(shape: shape) { out in
                out.initialize(repeating: 0)
                for (row, index) in indices.enumerated() {
                    for j in 0..<width { out[index * width + j] += g.storage.base[row * width + j] }
                }
            }]
        }
    }

    /// Images `[N, C, H, W]` laid out channels-last `[N, H, W, C']`, keeping `channels` (all when
    /// nil) in the order given: `result[n, y, x, d] = self[n, channels[d], y, x]`. Each pixel's
    /// feature vector becomes contiguous: the patch rows that patch detectors compare.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [1, 3, 1, 2], scalars: [1, 2, 3, 4, 5, 6])   // channels [1, 2], [3, 4], [5, 6]
    /// try x.channelsLast().scalars                 // [1, 3, 5, 2, 4, 6]
    /// try x.channelsLast(keeping: [2, 0]).scalars  // [5, 1, 6, 2]
    /// ```
    /// - Throws: ``TensorError`` unless the tensor has rank 4 and every kept channel exists.
    public func channelsLast(keeping channels: [Int]? = nil) throws -> Tensor {
        guard rank == 4 else { throw TensorError(.invalidArgument, "channelsLast", "needs [N, C, H, W], got shape \(shape)") }
        let (batch, total, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let kept = channels ?? Array(0..<total)
        if let outside = kept.first(where: { $0 < 0 || $0 >= total }) {
            throw TensorError(.invalidArgument, "channelsLast", "channel \(outside) is outside the \(total) channels of shape \(shape)")
        }
        let positions = height * width
        let result = Tensor(shape: [batch, height, width, kept.count]) { out in
            guard let base = out.baseAddress else { return }
            for b in 0..<batch {
                for (d, channel) in kept.enumerated() {
                    let plane = storage.base + (b * total + channel) * positions
                    let target = base + b * positions * kept.count + d
                    for p in 0..<positions { target[p * kept.count] = plane[p] }
                }
            }
        }
        return Tensor.recording(result, "channelsLast", inputs: [self]) { [shape] g, _ in
            [Tensor(shape: shape) { out in
                out.initialize(repeating: 0)
                for b in 0..<batch {
                    for (d, channel) in kept.enumerated() {
                        let plane = (b * total + channel) * positions, source = g.storage.base + b * positions * kept.count + d
                        for p in 0..<positions { out[plane + p] += source[p * kept.count] }
                    }
                }
            }]
        }
    }
}
