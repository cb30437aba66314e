import XADTensor

/// One multivariate Gaussian of D-dimensional feature vectors with the Ledoit-Wolf shrunk
/// covariance (Ledoit and Wolf, "A well-conditioned estimator for large-dimensional covariance
/// matrices", J. Multivariate Analysis 2004), scikit-learn's `LedoitWolf` formula for formula:
///
/// ```text
/// S = Xcᵀ Xc / N                       (Xc: the samples minus their mean)
/// μ = trace(S) / D
/// δ = (‖S‖²_F - 2 μ trace(S) + D μ²) / D
/// β = min(δ, (Σ_n ‖xc_n‖⁴ / N - ‖S‖²_F) / (D N))
/// Σ = (1 - ρ) S + ρ μ I,   ρ = β / δ  (0 when β = 0)
/// ```
///
/// It stays invertible with fewer images than dimensions, which a class-free Gaussian of a few
/// hundred pooled channels fitted on tens of normal images needs.
///
/// ```swift
/// let gaussian = try ShrunkGaussian.fit(features)           // [N, D]
/// let d2 = try gaussian.squaredDistances(queries)           // [M]: (x - m)ᵀ Σ⁻¹ (x - m)
/// ```
struct ShrunkGaussian: Sendable {
    /// `[D]`.
    let mean: Tensor
    /// `Σ⁻¹`, `[D, D]`, symmetric.
    let precision: Tensor

    /// Fits on samples `[N, D]`, `N >= 2`.
    /// - Throws: ``DetectorError/invalidInput(_:)`` for fewer than 2 samples;
    ///   ``DetectorError/numericalFailure(_:)`` when the shrunk covariance is singular (features
    ///   that never vary).
    static func fit(_ samples: Tensor) throws -> ShrunkGaussian {
        guard samples.rank == 2, samples.shape[0] >= 2 else {
            throw DetectorError.invalidInput("a Gaussian needs at least 2 feature vectors, got \(samples.shape)")
        }
        let (count, dims) = (samples.shape[0], samples.shape[1])
        let x = samples.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: dims)
        for n in 0..<count { for d in 0..<dims { mean[d] += x[n * dims + d] } }
        for d in 0..<dims { mean[d] /= Double(count) }
        var centred = x
        var fourthMoment: Double = 0   // Σ_n ‖xc_n‖⁴
        for n in 0..<count {
            var squaredLength: Double = 0
            for d in 0..<dims {
                centred[n * dims + d] -= mean[d]
                squaredLength += centred[n * dims + d] * centred[n * dims + d]
            }
            fourthMoment += squaredLength * squaredLength
        }
        var covariance = [Double](repeating: 0, count: dims * dims)
        for n in 0..<count {
            let row = n * dims
            for i in 0..<dims where centred[row + i] != 0 {
                let xi = centred[row + i]
                for j in 0..<dims { covariance[i * dims + j] += xi * centred[row + j] }
            }
        }
        for k in covariance.indices { covariance[k] /= Double(count) }
        let trace = (0..<dims).reduce(0) { $0 + covariance[$1 * dims + $1] }
        let frobenius = covariance.reduce(0) { $0 + $1 * $1 }
        let mu = trace / Double(dims)
        let delta = (frobenius - 2 * mu * trace + Double(dims) * mu * mu) / Double(dims)
        let beta = Swift.min(delta, (fourthMoment / Double(count) - frobenius) / Double(dims * count))
        let shrinkage = beta == 0 ? 0 : beta / delta
        for k in covariance.indices { covariance[k] *= 1 - shrinkage }
        for d in 0..<dims { covariance[d * dims + d] += shrinkage * mu }
        let inverse: [Double]
        do { inverse = try Cholesky(covariance, size: dims).inverse() } catch {
            throw DetectorError.numericalFailure("the pooled features' covariance is singular (\(dims) features that never vary?)")
        }
        return ShrunkGaussian(mean: try Tensor(shape: [dims], scalars: mean.map(Float.init)),
                              precision: try Tensor(shape: [dims, dims], scalars: inverse.map(Float.init)))
    }

    /// `(x - m)ᵀ Σ⁻¹ (x - m)` of each row of `features` (`[M, D]`) -> `[M]`, recorded on a tape
    /// when `features` is.
    func squaredDistances(_ features: Tensor) throws -> Tensor {
        let centred = try features - mean.reshaped([1, mean.count])
        return try (centred.matmul(precision) * centred).sum(axes: [1])
    }
}
