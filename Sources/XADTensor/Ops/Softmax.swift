/// Softmax and log-softmax along one axis, numerically stable (the maximum is subtracted before
/// exponentiating), each differentiable.
///
/// ```swift
/// let logits = try Tensor(shape: [1, 3], scalars: [1, 2, 3])
/// try logits.softmax(axis: -1).scalars      // [0.090, 0.245, 0.665]
/// ```
extension Tensor {
    /// `softmax(x)ᵢ = exp(xᵢ - max x) / Σⱼ exp(xⱼ - max x)` along `axis`.
    ///
    /// Gradient: `y ⊙ (g - Σ g ⊙ y)`, the sum along `axis`.
    /// - Throws: ``TensorError`` (`.invalidArgument`) for an axis outside the rank.
    public func softmax(axis: Int) throws -> Tensor {
        let plan = try ReductionPlan(shape, [axis], "softmax")
        let result = softmaxBlocks(plan, logarithm: false)
        return Tensor.recording(result, "softmax", inputs: [self]) { [y = result.detached] g, _ in
            let weighted = try Tensor.broadcastMap(g, y, "softmax", *)
            let total = weighted.blockSums(plan)
            return [y.blockCombine(g, total, plan) { y, g, total in y * (g - total) }]
        }
    }

    /// `log softmax(x)ᵢ = xᵢ - max x - log Σⱼ exp(xⱼ - max x)` along `axis`.
    ///
    /// Gradient: `g - exp(y) ⊙ Σ g`, the sum along `axis`.
    /// - Throws: ``TensorError`` (`.invalidArgument`) for an axis outside the rank.
    public func logSoftmax(axis: Int) throws -> Tensor {
        let plan = try ReductionPlan(shape, [axis], "logSoftmax")
        let result = softmaxBlocks(plan, logarithm: true)
        return Tensor.recording(result, "logSoftmax", inputs: [self]) { [y = result.detached] g, _ in
            let total = g.blockSums(plan)
            return [y.blockCombine(g, total, plan) { y, g, total in g - ElementwiseMath.exp(y) * total }]
        }
    }

    /// Softmax (or its logarithm) over the middle axis of `[outer, reduced, inner]` blocks.
    private func softmaxBlocks(_ plan: ReductionPlan, logarithm: Bool) -> Tensor {
        let (outer, reduced, inner) = (plan.outer, plan.reduced, plan.inner)
        return Tensor(shape: shape) { out in
            guard let output = out.baseAddress, reduced > 0 else { return }
            let input = storage.base
            ReductionKernels.forEachOuter(outer, work: reduced * inner) { o in
                let x = input + o * reduced * inner, y = output + o * reduced * inner
                if inner == 1 {
                    Tensor.softmaxRow(x, y, count: reduced, logarithm: logarithm)
                } else {
                    Tensor.softmaxColumns(x, y, reduced: reduced, inner: inner, logarithm: logarithm)
                }
            }
        }
    }

    /// Softmax of one contiguous row: separate passes for the maximum, the exponentials and their
    /// sum, so that each one vectorises.
    private static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                   count: Int, logarithm: Bool) {
        let largest = ReductionKernels.contiguousMaximum(x, count: count)
        for r in 0..<count { y[r] = ElementwiseMath.exp(x[r] - largest) }
        let total = ReductionKernels.contiguousSum(y, count: count)
        if logarithm {
            let shift = largest + _log(total)
            for r in 0..<count { y[r] = x[r] - shift }
        } else {
            let scale = 1 / total
            for r in 0..<count { y[r] *= scale }
        }
    }

    /// Softmax down the columns of a `[reduced, inner]` block; each loop runs along `inner`.
    private static func softmaxColumns(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                       reduced: Int, inner: Int, logarithm: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * inner) { scratch in
            guard let largest = scratch.baseAddress else { return }
            let total = largest + inner
            for i in 0..<inner { largest[i] = x[i] }
            for r in 1..<reduced {
                let row = x + r * inner
                for i in 0..<inner { largest[i] = row[i] > largest[i] || row[i].isNaN ? row[i] : largest[i] }
            }
            for i in 0..<inner { total[i] = 0 }
            for r in 0..<reduced {
                let row = x + r * inner, out = y + r * inner
                for i in 0..<inner { out[i] = ElementwiseMath.exp(row[i] - largest[i]) }
                for i in 0..<inner { total[i] += out[i] }
            }
            if logarithm {
                for i in 0..<inner { total[i] = largest[i] + _log(total[i]) }
                for r in 0..<reduced {
                    let row = x + r * inner, out = y + r * inner
                    for i in 0..<inner { out[i] = row[i] - total[i] }
                }
            } else {
                for i in 0..<inner { total[i] = 1 / total[i] }
                for r in 0..<reduced {
                    let out = y + r * inner
                    for i in 0..<inner { out[i] *= total[i] }
                }
            }
        }
    }

    /// Sums along the plan's reduced axis, shaped `[outer, inner]`; records nothing.
    private func blockSums(_ plan: ReductionPlan) -> Tensor {
        Tensor(shape: [plan.outer, plan.inner]) { out in
            guard let base = out.baseAddress else { return }
            ReductionKernels.sum(storage.base, outer: plan.outer, reduced: plan.reduced, inner: plan.inner, into: base)
        }
    }

    /// `combine(self, other, total[o, i])` for every element `[o, r, i]`; records nothing.
    @inline(__always)
    private func blockCombine(_ other: Tensor, _ total: Tensor, _ plan: ReductionPlan,
                              _ combine: (Float, Float, Float) -> Float) -> Tensor {
        let (outer, reduced, inner) = (plan.outer, plan.reduced, plan.inner)
        return Tensor(shape: shape) { out in
            let a = storage.base, b = other.storage.base, t = total.storage.base
            for o in 0..<outer {
                for r in 0..<reduced {
                    let offset = (o * reduced + r) * inner
                    for i in 0..<inner { out[offset + i] = combine(a[offset + i], b[offset + i], t[o * inner + i]) }
                }
            }
        }
    }
}
