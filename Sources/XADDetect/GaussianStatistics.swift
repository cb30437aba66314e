import XADTensor

/// Per-position multivariate Gaussians: the mean and the inverse of the regularised covariance
/// of D-dimensional features at each of P positions. PaDiM's whole model.
struct GaussianStatistics: Sendable {
    /// `[P, D]`.
    let mean: Tensor
    /// `[P, D, D]`, symmetric.
    let inverseCovariance: Tensor

    /// Fits from samples laid out `[P, N, D]` (position-major): covariance
    /// `Σ_p = (X_pᵀ X_p) / (N - 1) + ε I` after centring, inverted through a Cholesky factor.
    static func fit(samples: Tensor, regularisation: Float) throws -> GaussianStatistics {
        let (positions, count, dims) = (samples.shape[0], samples.shape[1], samples.shape[2])
        guard count >= 2 else { throw DetectorError.invalidOption("PaDiM needs at least 2 training images, got \(count)") }
        var centred = samples
        let mean = Tensor(shape: [positions, dims]) { mean in
            centred.withUnsafeMutableBufferPointer { x in
                for p in 0..<positions {
                    let block = x.baseAddress! + p * count * dims
                    let mu = mean.baseAddress! + p * dims
                    for d in 0..<dims { mu[d] = 0 }
                    for n in 0..<count { for d in 0..<dims { mu[d] += block[n * dims + d] } }
                    for d in 0..<dims { mu[d] /= Float(count) }
                    for n in 0..<count { for d in 0..<dims { block[n * dims + d] -= mu[d] } }
                }
            }
        }
        let covariance = Tensor(shape: [positions, dims, dims]) { covariance in
            let x = UncheckedSendable(centred.storage.base), out = UncheckedSendable(covariance.baseAddress!)
            Threads.parallelFor(positions) { p in
                let covariance = out.value + p * dims * dims
                BLAS.sgemm(transposeA: true, m: dims, n: dims, k: count, alpha: 1 / Float(count - 1),
                           a: x.value + p * count * dims, lda: dims, b: x.value + p * count * dims, ldb: dims,
                           c: covariance, ldc: dims)
                for d in 0..<dims { covariance[d * dims + d] += regularisation }
            }
        }
        let inverse: Tensor
        do {
            inverse = try (consume covariance).symmetricPositiveDefiniteInverse()
        } catch is LinearAlgebraError {
            throw DetectorError.invalidOption("a feature covariance is not positive definite; increase the regularisation")
        }
        return GaussianStatistics(mean: mean, inverseCovariance: inverse)
    }

    /// Mahalanobis distances `sqrt((x - μ_p)ᵀ Σ_p⁻¹ (x - μ_p))` of features `[B, P, D]`
    /// (position-major per image) -> `[B, P]`.
    func distances(_ features: Tensor) -> Tensor {
        let (batch, positions, dims) = (features.shape[0], features.shape[1], features.shape[2])
        return Tensor(shape: [batch, positions]) { out in
            let x = UncheckedSendable(features.storage.base), mu = UncheckedSendable(mean.storage.base)
            let inv = UncheckedSendable(inverseCovariance.storage.base), result = UncheckedSendable(out.baseAddress!)
            Threads.parallelFor(positions) { p in
                var diff = [Float](repeating: 0, count: dims)
                for b in 0..<batch {
                    let row = x.value + (b * positions + p) * dims
                    for d in 0..<dims { diff[d] = row[d] - mu.value[p * dims + d] }
                    let sigma = inv.value + p * dims * dims
                    var total: Float = 0
                    for i in 0..<dims {
                        var dot: Float = 0
                        let sigmaRow = sigma + i * dims
                        for j in 0..<dims { dot += sigmaRow[j] * diff[j] }
                        total += dot * diff[i]
                    }
                    result.value[b * positions + p] = Swift.max(total, 0).squareRoot()
                }
            }
        }
    }
}
