/// Sums, means, maxima and minima over axes, each differentiable.
///
/// `axes: nil` reduces everything to a rank-0 tensor; negative axes count from the end;
/// `keepingDimensions` keeps reduced axes with size 1 (useful for broadcasting back).
///
/// ```swift
/// let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// try x.sum().scalar                       // 21
/// try x.mean(axes: [-1]).scalars           // [2, 5]
/// try x.max(axes: [0], keepingDimensions: true).shape   // [1, 3]
/// ```
extension Tensor {
    /// `Σ x` over `axes`. The gradient broadcasts the upstream gradient back over them.
    /// - Throws: ``TensorError`` (`.invalidArgument`) for an axis outside the rank or repeated.
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        let plan = try ReductionPlan(shape, axes, "sum")
        let result = reduceSum(plan, keepingDimensions: keepingDimensions, scale: 1)
        return Tensor.recording(result, "sum", inputs: [self]) { [shape] g, _ in
            [g.broadcastBack(plan, to: shape, scale: 1)]
        }
    }

    /// The mean over `axes` (`Σ x / n` with `n` the number of reduced elements).
    /// - Throws: ``TensorError`` (`.invalidArgument`) for an axis outside the rank or repeated.
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        let plan = try ReductionPlan(shape, axes, "mean")
        let scale = 1 / Float(plan.reduced)
        let result = reduceSum(plan, keepingDimensions: keepingDimensions, scale: scale)
        return Tensor.recording(result, "mean", inputs: [self]) { [shape] g, _ in
            [g.broadcastBack(plan, to: shape, scale: scale)]
        }
    }

    /// The largest element over `axes`; NaN when any of them is NaN.
    ///
    /// Ties: the gradient is split evenly among all elements equal to the maximum, like
    /// PyTorch's `amax` (not `max(dim:)`, which picks one index).
    /// - Throws: ``TensorError`` (`.invalidArgument`) for a bad axis or an empty reduction.
    public func max(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        try extreme(axes, keepingDimensions, largest: true, "max")
    }

    /// The smallest element over `axes`; ties share the gradient evenly, like PyTorch's `amin`.
    /// - Throws: ``TensorError`` (`.invalidArgument`) for a bad axis or an empty reduction.
    public func min(axes: [Int]? = nil, keepingDimensions: Bool = false) throws -> Tensor {
        try extreme(axes, keepingDimensions, largest: false, "min")
    }

    private func extreme(_ axes: [Int]?, _ keepingDimensions: Bool, largest: Bool, _ name: String) throws -> Tensor {
        let plan = try ReductionPlan(shape, axes, name)
        guard plan.reduced > 0 else {
            throw TensorError(.invalidArgument, name, "cannot reduce an empty axis of shape \(shape)")
        }
        let blocks = plan.blockLayout(of: self)
        let result = Tensor(shape: plan.resultShape(keepingDimensions)) { out in
            guard let base = out.baseAddress else { return }
            ReductionKernels.extreme(blocks.storage.base, outer: plan.outer, reduced: plan.reduced,
                                     inner: plan.inner, largest: largest, into: base)
        }
        return Tensor.recording(result, name, inputs: [self]) { [blocks = blocks.detached, result = result.detached] g, _ in
            let gradient = Tensor(shape: blocks.shape) { out in
                guard let base = out.baseAddress else { return }
                ReductionKernels.extremeGradient(
                    blocks.storage.base, result: result.storage.base, upstream: g.storage.base,
                    outer: plan.outer, reduced: plan.reduced, inner: plan.inner, into: base)
            }
            return [plan.undoBlockLayout(gradient)]
        }
    }

    /// The sum (times `scale`) over the plan's axes; records nothing. Axes that are not one
    /// contiguous run are summed run by run, innermost first, which needs no permuted copy.
    private func reduceSum(_ plan: ReductionPlan, keepingDimensions: Bool, scale: Float) -> Tensor {
        if plan.permutation != nil {
            var partial = detached
            for run in plan.contiguousRuns.reversed() {
                partial = partial.reduceSum(ReductionPlan(shape: partial.shape, axes: run),
                                            keepingDimensions: true, scale: 1)
            }
            let total = Tensor(shape: plan.resultShape(keepingDimensions), storage: partial.storage)
            return scale == 1 ? total : total.map { $0 * scale }
        }
        return Tensor(shape: plan.resultShape(keepingDimensions)) { out in
            guard let base = out.baseAddress else { return }
            ReductionKernels.sum(storage.base, outer: plan.outer, reduced: plan.reduced,
                                 inner: plan.inner, into: base)
            if scale != 1 { for i in 0..<out.count { out[i] *= scale } }
        }
    }

    /// Sums a broadcast gradient back to `target`, a shape that broadcasts to this one; records
    /// nothing. Runs on the reduction kernels, at memory speed.
    package func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return detached }
        let leading = rank - target.count
        let axes = shape.indices.filter { $0 < leading || (target[$0 - leading] == 1 && shape[$0] != 1) }
        let total = reduceSum(ReductionPlan(shape: shape, axes: axes), keepingDimensions: true, scale: 1)
        return Tensor(shape: target, storage: total.storage)
    }

    /// Repeats a reduction's upstream gradient over the reduced axes (times `scale`).
    private func broadcastBack(_ plan: ReductionPlan, to shape: [Int], scale: Float) -> Tensor {
        let kept = plan.resultShape(true)
        let strides = Broadcast.strides(of: kept, broadcastTo: shape)
        return Tensor(shape: shape) { out in
            guard let base = out.baseAddress else { return }
            ElementwiseCopy.gather(from: storage.base, sourceStrides: strides, into: base, shape: shape)
            if scale != 1 { for i in 0..<out.count { out[i] *= scale } }
        }
    }
}

/// How a reduction over some axes maps onto `[outer, reduced, inner]` blocks.
///
/// When the reduced axes are one contiguous run the tensor already has that layout. Otherwise
/// sums go run by run (``contiguousRuns``), and max/min permute (copy) the tensor once so that
/// the kept axes come first and the reduced ones last.
struct ReductionPlan: Sendable {
    let shape: [Int]
    let axes: [Int]
    let outer: Int, reduced: Int, inner: Int
    /// The permutation that brings the reduced axes to the end, when they are not contiguous.
    let permutation: [Int]?

    /// A plan for user-given axes (validated; nil means all).
    init(_ shape: [Int], _ requested: [Int]?, _ operation: String) throws {
        let axes = try requested.map { try Tensor.normalizedAxes($0, rank: shape.count, operation) }
            ?? Array(shape.indices)
        self.init(shape: shape, axes: axes)
    }

    /// A plan for axes already valid, sorted and distinct.
    init(shape: [Int], axes: [Int]) {
        self.shape = shape
        self.axes = axes
        reduced = axes.reduce(1) { $0 * shape[$1] }
        let first = axes.first ?? shape.count, end = axes.last.map { $0 + 1 } ?? shape.count
        if end - first == axes.count {
            outer = shape[..<first].reduce(1, *)
            inner = shape[end...].reduce(1, *)
            permutation = nil
        } else {
            let kept = shape.indices.filter { !axes.contains($0) }
            outer = kept.reduce(1) { $0 * shape[$1] }
            inner = 1
            permutation = kept + axes
        }
    }

    /// The reduced axes split into runs of consecutive axes: `[0, 2, 3]` gives `[[0], [2, 3]]`.
    var contiguousRuns: [[Int]] {
        var runs: [[Int]] = []
        for axis in axes {
            if let last = runs.last?.last, last + 1 == axis {
                runs[runs.count - 1].append(axis)
            } else {
                runs.append([axis])
            }
        }
        return runs
    }

    func resultShape(_ keepingDimensions: Bool) -> [Int] {
        keepingDimensions ? shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
            : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    }

    /// The tensor's elements in `[outer, reduced, inner]` order (no copy when contiguous).
    func blockLayout(of tensor: Tensor) -> Tensor {
        guard let permutation else { return tensor.detached }
        return tensor.detached.permutedCopy(permutation)
    }

    /// Puts a tensor in block layout back into the original axis order.
    func undoBlockLayout(_ tensor: Tensor) -> Tensor {
        guard let permutation else { return tensor }
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (position, axis) in permutation.enumerated() { inverse[axis] = position }
        return tensor.permutedCopy(inverse)
    }
}

extension Tensor {
    /// Resolves negative axes and checks the list: each in `-rank..<rank`, none repeated; sorted.
    package static func normalizedAxes(_ axes: [Int], rank: Int, _ operation: String) throws -> [Int] {
        let resolved = try axes.map { try normalizedAxis($0, rank: rank, operation) }
        guard Set(resolved).count == resolved.count else {
            throw TensorError(.invalidArgument, operation, "axes \(axes) repeat an axis")
        }
        return resolved.sorted()
    }

    /// Resolves one possibly negative axis of a tensor of the given rank.
    package static func normalizedAxis(_ axis: Int, rank: Int, _ operation: String) throws -> Int {
        guard axis >= -rank && axis < rank else {
            throw TensorError(.invalidArgument, operation, "axis \(axis) is out of range for rank \(rank)")
        }
        return axis < 0 ? axis + rank : axis
    }
}
