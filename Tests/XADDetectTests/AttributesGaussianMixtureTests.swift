import Testing
import XADDetect
import XADTensor
import XADTestSupport

/// The attribute detector's EM against scikit-learn's `GaussianMixture(covariance_type="full")`
/// (Tools/reference/gen_gmm.py): the same start, the same 15 steps, the same mixture.
@Suite("Gaussian mixture (EM) against scikit-learn")
struct AttributesGaussianMixtureTests {
    // tolerance: 1e-6 absolute on weights, means, covariances and log-likelihoods (both sides
    // in float64 from the same float32-representable inputs; the fixture keeps float64 results).
    @Test func emFromAGivenStartMatchesScikitLearn() throws {
        let fixture = try Fixture("video/gmm.json")
        let samples = try fixture.tensor("samples").scalars.map(Double.init)
        let start = try GaussianMixture(dimension: 3, weights: fixture.tensor("start_weights").scalars.map(Double.init),
                                        means: fixture.tensor("start_means").scalars.map(Double.init),
                                        covariances: fixture.tensor("start_covariances").scalars.map(Double.init))
        let iterations = try #require(fixture["iterations"]?.int)
        let fitted = try start.refined(on: samples, maxIterations: iterations, tolerance: 0)
        func close(_ actual: [Double], _ key: String) throws {
            let expected = try #require(fixture[key]?.doubles)
            #expect(actual.count == expected.count)
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-6, "\(key): largest difference \(worst)")
        }
        try close(fitted.weights, "weights")
        try close(fitted.means, "means")
        try close(fitted.covariances, "covariances")
        let logLikelihoods = try fitted.logLikelihoods(of: samples)
        try close(logLikelihoods, "log_likelihoods")
        let meanLogLikelihood = try #require(fixture["mean_log_likelihood"]?.double)
        #expect(abs(logLikelihoods.reduce(0, +) / Double(logLikelihoods.count) - meanLogLikelihood) <= 1e-6)
    }

    /// From k-means++ centres, EM finds well separated clusters: each cluster's sample mean is a
    /// fitted mean (within 1e-6: the responsibilities are 0 or 1 to machine precision), each
    /// weight its share.
    @Test func kMeansPlusPlusStartFindsSeparatedClusters() throws {
        var generator = SeededGenerator(seed: 3)
        let centres: [[Double]] = [[0, 0], [10, 0], [0, 10]]
        let counts = [200, 100, 100]
        var samples: [Double] = []
        var sampleMeans: [[Double]] = []
        for (centre, count) in zip(centres, counts) {
            let cluster = (0..<count).map { _ in centre.map { $0 + Double.random(in: -1...1, using: &generator) } }
            samples += cluster.flatMap { $0 }
            sampleMeans.append((0..<2).map { i in cluster.reduce(0) { $0 + $1[i] } / Double(count) })
        }
        let mixture = try GaussianMixture.fit(samples, dimension: 2, components: 3, seed: 7)
        for (centre, count) in zip(sampleMeans, counts) {
            let nearest = try #require((0..<3).min { k, l in
                distance(mixture.means, k, centre) < distance(mixture.means, l, centre)
            })
            #expect(distance(mixture.means, nearest, centre) < 1e-6)
            #expect(abs(mixture.weights[nearest] - Double(count) / 400) < 1e-6)
        }
        #expect(throws: DetectorError.self) { try GaussianMixture.fit([1, 2], dimension: 2, components: 2, seed: 0) }
    }

    private func distance(_ means: [Double], _ k: Int, _ centre: [Double]) -> Double {
        zip(means[(2 * k)..<(2 * k + 2)], centre).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }
}
