/// Gaussian statistics of many groups of samples at once, and distances under them: PaDiM's
/// model is one Gaussian per patch position. Both record nothing (the Mahalanobis distance
/// composes from `matmul`, `*` and `sum` where a tape is needed).
///
/// ```swift
/// let samples = try Tensor(shape: [1, 3, 2], scalars: [0, 0, 1, 2, 2, 4])   // 1 group, 3 samples
/// let (mean, covariance) = try samples.meanAndCovariance(ridge: 0.5)
/// let precision = try covariance.symmetricPositiveDefiniteInverse()
/// let x = try Tensor(shape: [1, 1, 2], scalars: [1, 2])
/// try x.mahalanobisDistances(mean: mean, inverseCovariance: precision).scalars   // [0]
/// ```
extension Tensor {
    /// The mean and sample covariance of every group of samples `[G, N, D]` (G groups of N
    /// samples of D features): `μ_g = Σ_n x_gn / N` and
    /// `Σ_g = Σ_n (x_gn - μ_g)(x_gn - μ_g)ᵀ / (N - 1) + ridge · I`, shapes `[G, D]` and
    /// `[G, D, D]`. The centred samples take one copy of the input; each covariance is one
    /// sgemm; groups are spread over ``Threads/count`` threads.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [1, 3, 2], scalars: [0, 0, 1, 2, 2, 4])
    /// let (mean, covariance) = try x.meanAndCovariance(ridge: 0.5)
    /// mean.scalars          // [1, 2]
    /// covariance.scalars    // [1.5, 2, 2, 4.5]
    /// ```
    /// - Throws: ``TensorError`` unless the tensor is `[G, N, D]` with `N >= 2`, `D >= 1`, untracked.
    public func meanAndCovariance(ridge: Float = 0) throws -> (mean: Tensor, covariance: Tensor) {
        guard rank == 3, shape[1] >= 2, shape[2] >= 1 else {
            throw TensorError(.invalidArgument, "meanAndCovariance", "needs samples [G, N >= 2, D >= 1], got shape \(shape)")
        }
        guard !isTracked else { throw TensorError(.notDifferentiable, "meanAndCovariance", "records nothing; compute it outside the tape") }
        let (groups, count, dims) = (shape[0], shape[1], shape[2])
        var centred = self
        var mean = Tensor.zeros([groups, dims])
        let covariance = Tensor(shape: [groups, dims, dims]) { covariance in
            centred.withUnsafeMutableBufferPointer { centred in
                mean.withUnsafeMutableBufferPointer { mean in
                    guard let x = centred.baseAddress, let mu = mean.baseAddress, let sigma = covariance.baseAddress else { return }
                    let shared = UncheckedSendable((x, mu, sigma))
                    Threads.parallelFor(groups) { g in
                        let (x, mu, sigma) = shared.value
                        let block = x + g * count * dims, mean = mu + g * dims, covariance = sigma + g * dims * dims
                        for n in 0..<count { for d in 0..<dims { mean[d] += block[n * dims + d] } }
                        for d in 0..<dims { mean[d] /= Float(count) }
                        for n in 0..<count { for d in 0..<dims { block[n * dims + d] -= mean[d] } }
                        // Every element of the covariance is written here (beta = 0), then its diagonal loaded.
                        BLAS.sgemm(transposeA: true, m: dims, n: dims, k: count, alpha: 1 / Float(count - 1),
                                   a: block, lda: dims, b: block, ldb: dims, c: covariance, ldc: dims)
                        for d in 0..<dims { covariance[d * dims + d] += ridge }
                    }
                }
            }
        }
        return (mean, covariance)
    }

    /// The Mahalanobis distance of every sample `[B, G, D]` to its group's Gaussian:
    /// `result[b, g] = √((x_bg - μ_g)ᵀ Σ_g⁻¹ (x_bg - μ_g))`, the quadratic form clamped at 0
    /// before the root, for `mean` `[G, D]` and `inverseCovariance` `[G, D, D]`; shape `[B, G]`.
    /// Groups are spread over ``Threads/count`` threads.
    ///
    /// ```swift
    /// let x = try Tensor(shape: [1, 1, 2], scalars: [3, 4])
    /// let identity = try Tensor(shape: [1, 2, 2], scalars: [1, 0, 0, 1])
    /// try x.mahalanobisDistances(mean: .zeros([1, 2]), inverseCovariance: identity).scalars   // [5]
    /// ```
    /// - Throws: ``TensorError`` when the shapes do not fit together or an input is tracked.
    public func mahalanobisDistances(mean: Tensor, inverseCovariance: Tensor) throws -> Tensor {
        guard rank == 3, mean.shape == [shape[1], shape[2]], inverseCovariance.shape == [shape[1], shape[2], shape[2]] else {
            throw TensorError.shapes("mahalanobisDistances", [shape, mean.shape, inverseCovariance.shape], "must be [B, G, D], [G, D] and [G, D, D]")
        }
        guard !Tensor.anyTracked(self, mean, inverseCovariance) else {
            throw TensorError(.notDifferentiable, "mahalanobisDistances", "records nothing; compose matmul, * and sum on a tape")
        }
        let (batch, groups, dims) = (shape[0], shape[1], shape[2])
        return Tensor(shape: [batch, groups]) { out in
            guard let result = out.baseAddress.map(UncheckedSendable.init) else { return }
            let x = UncheckedSendable(storage.base), mu = UncheckedSendable(mean.storage.base)
            let inverse = UncheckedSendable(inverseCovariance.storage.base)
            Threads.parallelFor(groups) { g in
                var difference = [Float](repeating: 0, count: dims)
                for b in 0..<batch {
                    let row = x.value + (b * groups + g) * dims
                    for d in 0..<dims { difference[d] = row[d] - mu.value[g * dims + d] }
                    let sigma = inverse.value + g * dims * dims
                    var total: Float = 0
                    for i in 0..<dims {
                        var dot: Float = 0
                        let sigmaRow = sigma + i * dims
                        for j in 0..<dims { dot += sigmaRow[j] * difference[j] }
                        total += dot * difference[i]
                    }
                    result.value[b * groups + g] = Swift.max(total, 0).squareRoot()
                }
            }
        }
    }
}
