/// Squared Euclidean distances between two sets of points, by one matrix product.
extension Tensor {
    /// `D[i, j] = |xᵢ - yⱼ|²` for `x` `[n, d]` and `y` `[m, d]`, giving `[n, m]`.
    ///
    /// Computed as `|xᵢ|² + |yⱼ|² - 2 xᵢ·yⱼ` with one sgemm and clamped at 0, since rounding can
    /// make the expansion slightly negative for (nearly) equal points. This is how memory-bank
    /// detectors (PatchCore, kNN) search their banks. Differentiable in both arguments:
    /// `dx = 2 (rowsum(G) ⊙ x - G · y)`, `dy = 2 (colsum(G) ⊙ y - Gᵀ · x)`, where `G` is the
    /// upstream gradient with clamped entries zeroed.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [1, 2], scalars: [0, 0])
    /// let y = try Tensor(shape: [2, 2], scalars: [3, 4, 1, 0])
    /// try Tensor.pairwiseSquaredDistances(x, y).scalars     // [25, 1]
    /// ```
    /// - Throws: ``TensorError`` (`.shapeMismatch`) unless both are rank 2 with equal `d`.
    public static func pairwiseSquaredDistances(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        guard x.rank == 2, y.rank == 2, x.shape[1] == y.shape[1] else {
            throw TensorError.shapes("pairwiseSquaredDistances", [x.shape, y.shape], "must be [n, d] and [m, d]")
        }
        let (n, m, d) = (x.shape[0], y.shape[0], x.shape[1])
        let normsX = x.rowSquaredNorms(), normsY = y.rowSquaredNorms()
        let result = Tensor(shape: [n, m]) { out in
            guard let c = out.baseAddress else { return }
            if d > 0 {
                BLAS.sgemm(transposeB: true, m: n, n: m, k: d, alpha: -2, a: x.storage.base, lda: d,
                           b: y.storage.base, ldb: d, c: c, ldc: m)
            } else {
                out.initialize(repeating: 0)
            }
            let nx = normsX.storage.base, ny = normsY.storage.base
            for i in 0..<n {
                let row = c + i * m, xi = nx[i]
                for j in 0..<m { row[j] = Swift.max(row[j] + xi + ny[j], 0) }
            }
        }
        guard anyTracked(x, y) else { return result }
        return recording(result, "pairwiseSquaredDistances", inputs: [x, y]) {
            [x = x.detached, y = y.detached, distances = result.detached] g, needed in
            // Clamped entries have zero gradient (PyTorch's clamp passes it only where d >= 0,
            // which differs from this mask only where xᵢ = yⱼ, where the gradient is 0 anyway).
            let masked = try broadcastMap(g, distances, "pairwiseSquaredDistances") { g, d in d > 0 ? g : 0 }
            return [needed[0] ? masked.distanceGradient(points: x, others: y, transposed: false) : nil,
                    needed[1] ? masked.distanceGradient(points: y, others: x, transposed: true) : nil]
        }
    }

    /// `Σ_k x[i, k]²` for each row of a rank-2 tensor; records nothing.
    func rowSquaredNorms() -> Tensor {
        let (rows, columns) = (shape[0], shape[1])
        return Tensor(shape: [rows]) { out in
            let x = storage.base
            for i in 0..<rows {
                var total: Float = 0
                let row = x + i * columns
                for k in 0..<columns { total += row[k] * row[k] }
                out[i] = total
            }
        }
    }

    /// For this masked upstream gradient `G` `[n, m]`: `2 (rowsum(G) ⊙ points - G · others)`, or
    /// with `Gᵀ` and column sums when `transposed`; records nothing.
    private func distanceGradient(points: Tensor, others: Tensor, transposed: Bool) -> Tensor {
        let (count, d) = (points.shape[0], points.shape[1])
        let otherCount = others.shape[0]
        let m = shape[1]
        return Tensor(shape: points.shape) { out in
            guard let c = out.baseAddress else { return }
            let g = storage.base
            // BLAS rejects a leading dimension of 0; with no other points the gradient is 0.
            if d == 0 || otherCount == 0 {
                out.initialize(repeating: 0)
                return
            }
            BLAS.sgemm(transposeA: transposed, m: count, n: d, k: otherCount, alpha: -2,
                       a: g, lda: m, b: others.storage.base, ldb: d, c: c, ldc: d)
            let p = points.storage.base
            for i in 0..<count {
                var weight: Float = 0
                if transposed {
                    for j in 0..<otherCount { weight += g[j * m + i] }
                } else {
                    for j in 0..<m { weight += g[i * m + j] }
                }
                weight *= 2
                let row = c + i * d, point = p + i * d
                for k in 0..<d { row[k] += weight * point[k] }
            }
        }
    }
}
