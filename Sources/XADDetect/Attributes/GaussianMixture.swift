import Foundation
import XADTensor

/// A mixture of `K` Gaussians with full covariances, fitted by expectation-maximisation (Dempster,
/// Laird & Rubin 1977), in Float64: the density model of the attribute-based detector's velocity
/// and shape attributes.
///
/// The density is `p(x) = Σ_k π_k N(x; μ_k, Σ_k)`. Each EM step computes the responsibilities
/// `r_nk ∝ π_k N(x_n; μ_k, Σ_k)` (E), then `N_k = Σ_n r_nk`, `π_k = N_k / N`,
/// `μ_k = Σ_n r_nk x_n / N_k` and `Σ_k = Σ_n r_nk (x_n - μ_k)(x_n - μ_k)ᵀ / N_k + λ I` (M), with
/// `λ` (default ``regularisation``) keeping every covariance invertible. It stops when the mean
/// log-likelihood improves by less than the tolerance. This is scikit-learn's
/// `GaussianMixture(covariance_type="full")` step for step (the same `10 ε` added to each `N_k`),
/// so from the same start both give the same mixture (the unit test compares them).
///
/// ```swift
/// let mixture = try GaussianMixture.fit(samples, dimension: 2, components: 3, seed: 0)
/// let density = try mixture.logLikelihoods(of: [0.5, 1.0])   // log p(x) per sample
/// ```
public struct GaussianMixture: Sendable {
    /// The default covariance regularisation `λ` added to each diagonal (scikit-learn's `reg_covar`).
    public static let regularisation = 1e-6

    /// The length of each sample.
    public let dimension: Int
    /// `π_k`, summing to 1.
    public private(set) var weights: [Double]
    /// `μ_k`, `K x dimension`, row-major.
    public private(set) var means: [Double]
    /// `Σ_k`, `K x dimension x dimension`, row-major.
    public private(set) var covariances: [Double]
    /// The Cholesky factor of each covariance, for densities.
    private var factors: [Cholesky]

    /// The number of components `K`.
    public var components: Int { weights.count }

    /// A mixture from its parameters; throws when the counts disagree or a covariance is not
    /// positive definite.
    public init(dimension: Int, weights: [Double], means: [Double], covariances: [Double]) throws {
        let k = weights.count
        guard dimension > 0, k > 0, means.count == k * dimension, covariances.count == k * dimension * dimension else {
            throw DetectorError.invalidInput("a Gaussian mixture of \(k) components in \(dimension) dimensions needs \(k * dimension) mean values and \(k * dimension * dimension) covariance values, got \(means.count) and \(covariances.count)")
        }
        let block = dimension * dimension
        do {
            factors = try (0..<k).map { try Cholesky(Array(covariances[($0 * block)..<(($0 + 1) * block)]), size: dimension) }
        } catch {
            throw DetectorError.numericalFailure("a Gaussian mixture's covariance is not positive definite (\(error))")
        }
        (self.dimension, self.weights, self.means, self.covariances) = (dimension, weights, means, covariances)
    }

    /// Fits `components` Gaussians to `samples` (row-major, `dimension` values each), starting
    /// from k-means++ centres (Arthur & Vassilvitskii 2007) drawn with `seed`, unit responsibilities
    /// to the nearest centre, then EM.
    /// - Throws: ``DetectorError/invalidInput(_:)`` for fewer samples than components or
    ///   non-finite values.
    public static func fit(_ samples: [Double], dimension: Int, components: Int, seed: UInt64, maxIterations: Int = 100,
                           tolerance: Double = 1e-3, regularisation: Double = GaussianMixture.regularisation) throws -> GaussianMixture {
        let count = try checkedCount(samples, dimension: dimension, components: components)
        let centres = kMeansPlusPlus(samples, count: count, dimension: dimension, components: components, seed: seed)
        // Hard responsibilities to the nearest centre, as scikit-learn's k-means start.
        var responsibilities = [Double](repeating: 0, count: count * components)
        for n in 0..<count {
            let nearest = (0..<components).min { squaredDistance(samples, n, centres, $0, dimension) < squaredDistance(samples, n, centres, $1, dimension) } ?? 0
            responsibilities[n * components + nearest] = 1
        }
        let start = try maximisation(samples, responsibilities: responsibilities, count: count, dimension: dimension,
                                     components: components, regularisation: regularisation)
        return try start.refined(on: samples, maxIterations: maxIterations, tolerance: tolerance, regularisation: regularisation)
    }

    /// EM from this mixture: at most `maxIterations` steps, stopping when the mean log-likelihood
    /// improves by less than `tolerance` (0: run every step); `regularisation` is `λ`.
    public func refined(on samples: [Double], maxIterations: Int = 100, tolerance: Double = 1e-3,
                        regularisation: Double = GaussianMixture.regularisation) throws -> GaussianMixture {
        let count = try Self.checkedCount(samples, dimension: dimension, components: components)
        var mixture = self
        var previous = -Double.infinity
        for _ in 0..<maxIterations {
            let (responsibilities, meanLogLikelihood) = mixture.expectation(samples, count: count)
            mixture = try Self.maximisation(samples, responsibilities: responsibilities, count: count,
                                            dimension: dimension, components: components, regularisation: regularisation)
            if abs(meanLogLikelihood - previous) < tolerance { break }
            previous = meanLogLikelihood
        }
        return mixture
    }

    /// `log p(x)` of each sample (row-major, ``dimension`` values each).
    public func logLikelihoods(of samples: [Double]) throws -> [Double] {
        guard samples.count % dimension == 0 else {
            throw DetectorError.invalidInput("\(samples.count) values are not whole samples of \(dimension)")
        }
        return (0..<(samples.count / dimension)).map { n in logSumExp(weightedLogDensities(samples, n)) }
    }

    // MARK: EM steps

    /// Responsibilities `r_nk` and the mean log-likelihood of the samples.
    private func expectation(_ samples: [Double], count: Int) -> (responsibilities: [Double], meanLogLikelihood: Double) {
        var responsibilities = [Double](repeating: 0, count: count * components)
        var total = 0.0
        for n in 0..<count {
            let logs = weightedLogDensities(samples, n)
            let norm = logSumExp(logs)
            total += norm
            for k in 0..<components { responsibilities[n * components + k] = exp(logs[k] - norm) }
        }
        return (responsibilities, total / Double(count))
    }

    /// The weights, means and regularised covariances that the responsibilities give.
    private static func maximisation(_ samples: [Double], responsibilities: [Double], count: Int, dimension d: Int,
                                     components: Int, regularisation: Double) throws -> GaussianMixture {
        var totals = [Double](repeating: 10 * Double.ulpOfOne, count: components)
        var means = [Double](repeating: 0, count: components * d)
        for n in 0..<count {
            for k in 0..<components {
                let r = responsibilities[n * components + k]
                totals[k] += r
                for i in 0..<d { means[k * d + i] += r * samples[n * d + i] }
            }
        }
        for k in 0..<components { for i in 0..<d { means[k * d + i] /= totals[k] } }
        var covariances = [Double](repeating: 0, count: components * d * d)
        var centred = [Double](repeating: 0, count: d)
        for n in 0..<count {
            for k in 0..<components {
                let r = responsibilities[n * components + k]
                guard r > 0 else { continue }
                for i in 0..<d { centred[i] = samples[n * d + i] - means[k * d + i] }
                let base = k * d * d
                for i in 0..<d { for j in 0...i { covariances[base + i * d + j] += r * centred[i] * centred[j] } }
            }
        }
        for k in 0..<components {
            let base = k * d * d
            for i in 0..<d {
                for j in 0...i {
                    let value = covariances[base + i * d + j] / totals[k] + (i == j ? regularisation : 0)
                    covariances[base + i * d + j] = value
                    covariances[base + j * d + i] = value
                }
            }
        }
        let weights = totals.map { $0 / Double(count) }
        return try GaussianMixture(dimension: d, weights: weights, means: means, covariances: covariances)
    }

    /// `log π_k + log N(x_n; μ_k, Σ_k)` for every component: with `Σ = L Lᵀ`,
    /// `log N = -(d log 2π + 2 Σ log L_ii + |L⁻¹(x - μ)|²) / 2`.
    private func weightedLogDensities(_ samples: [Double], _ n: Int) -> [Double] {
        let d = dimension
        var y = [Double](repeating: 0, count: d)
        return (0..<components).map { k in
            let l = factors[k].lower
            var logDeterminant = 0.0, distance = 0.0
            for i in 0..<d {
                var value = samples[n * d + i] - means[k * d + i]
                for j in 0..<i { value -= l[i * d + j] * y[j] }
                y[i] = value / l[i * d + i]
                distance += y[i] * y[i]
                logDeterminant += 2 * log(l[i * d + i])
            }
            return log(weights[k]) - 0.5 * (Double(d) * log(2 * Double.pi) + logDeterminant + distance)
        }
    }

    private func logSumExp(_ values: [Double]) -> Double {
        guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
        return top + log(values.reduce(0) { $0 + exp($1 - top) })
    }

    // MARK: Start

    /// k-means++ seeding: the first centre uniformly, each next one with probability
    /// proportional to the squared distance to the nearest chosen centre.
    private static func kMeansPlusPlus(_ samples: [Double], count: Int, dimension d: Int, components: Int,
                                       seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        var chosen = [Int.random(in: 0..<count, using: &generator)]
        var nearest = (0..<count).map { squaredDistance(samples, $0, samples, chosen[0], d) }
        while chosen.count < components {
            let total = nearest.reduce(0, +)
            var target = Double.random(in: 0..<1, using: &generator) * total
            var next = count - 1
            for n in 0..<count {
                target -= nearest[n]
                if target < 0 { next = n; break }
            }
            chosen.append(next)
            for n in 0..<count { nearest[n] = Swift.min(nearest[n], squaredDistance(samples, n, samples, next, d)) }
        }
        return chosen.flatMap { Array(samples[($0 * d)..<(($0 + 1) * d)]) }
    }

    private static func squaredDistance(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int, _ d: Int) -> Double {
        var sum = 0.0
        for c in 0..<d { let t = a[i * d + c] - b[j * d + c]; sum += t * t }
        return sum
    }

    private static func checkedCount(_ samples: [Double], dimension: Int, components: Int) throws -> Int {
        guard dimension > 0, samples.count % dimension == 0, samples.count / dimension >= components, components > 0 else {
            throw DetectorError.invalidInput("a Gaussian mixture of \(components) components needs at least \(components) samples of \(dimension) values, got \(samples.count) values")
        }
        guard samples.allSatisfy(\.isFinite) else {
            throw DetectorError.invalidInput("a Gaussian mixture's samples contain a non-finite value")
        }
        return samples.count / dimension
    }
}

extension GaussianMixture {
    /// The mixture as one tensor `[2, K, 1 + d + d²]` (weight, mean, covariance per row) for
    /// saving: row 0 each value rounded to Float32, row 1 the remainder, so the Float64 parameters
    /// survive (a nearly singular covariance rounded to Float32 would change its densities).
    var savedTensor: Tensor {
        let d = dimension, width = 1 + d + d * d
        var values: [Double] = []
        for k in 0..<components {
            values.append(weights[k])
            values += means[(k * d)..<((k + 1) * d)]
            values += covariances[(k * d * d)..<((k + 1) * d * d)]
        }
        return Tensor(shape: [2, components, width]) { out in
            for (i, value) in values.enumerated() {
                out[i] = Float(value)
                out[values.count + i] = Float(value - Double(Float(value)))
            }
        }
    }

    /// A mixture saved by ``savedTensor``.
    init(saved tensor: Tensor, dimension d: Int) throws {
        let width = 1 + d + d * d
        guard tensor.rank == 3, tensor.shape[0] == 2, tensor.shape[2] == width, tensor.shape[1] > 0 else {
            throw DetectorError.invalidInput("a saved Gaussian mixture of \(d) dimensions is [2, K, \(width)], got \(tensor.shape)")
        }
        let scalars = tensor.scalars, half = scalars.count / 2, k = tensor.shape[1]
        let rows = (0..<half).map { Double(scalars[$0]) + Double(scalars[half + $0]) }
        try self.init(dimension: d, weights: (0..<k).map { rows[$0 * width] },
                      means: (0..<k).flatMap { rows[($0 * width + 1)..<($0 * width + 1 + d)] },
                      covariances: (0..<k).flatMap { rows[($0 * width + 1 + d)..<(($0 + 1) * width)] })
    }
}
