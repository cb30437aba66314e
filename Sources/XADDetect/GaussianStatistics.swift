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
        let count = samples.shape[1]
        guard count >= 2 else { throw DetectorError.invalidInput("PaDiM needs at least 2 training images, got \(count)") }
        let (mean, covariance) = try samples.meanAndCovariance(ridge: regularisation)
        let inverse: Tensor
        do {
            inverse = try (consume covariance).symmetricPositiveDefiniteInverse()
        } catch is LinearAlgebraError {
            throw DetectorError.numericalFailure("a feature covariance is not positive definite; increase the regularisation")
        }
        return GaussianStatistics(mean: mean, inverseCovariance: inverse)
    }

    /// Mahalanobis distances `sqrt((x - μ_p)ᵀ Σ_p⁻¹ (x - μ_p))` of features `[B, P, D]`
    /// (position-major per image) -> `[B, P]`.
    func distances(_ features: Tensor) throws -> Tensor {
        try features.mahalanobisDistances(mean: mean, inverseCovariance: inverseCovariance)
    }
}
