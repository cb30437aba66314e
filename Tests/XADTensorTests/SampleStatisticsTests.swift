import Testing
import XADTensor

/// Per-group means, covariances and Mahalanobis distances against direct Float64 loops.
@Suite("Sample statistics per group")
struct SampleStatisticsTests {
    static func samples(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.normal(shape, std: 2, generator: &generator)
    }

    // tolerance: 1e-5 absolute on means and covariances of order 1 to 4 (Float32 sums of 40 terms).
    @Test func meanAndCovarianceMatchDirectSums() throws {
        let (groups, count, dims) = (5, 40, 6)
        let x = Self.samples([groups, count, dims], seed: 7)
        let (mean, covariance) = try x.meanAndCovariance(ridge: 0.25)
        #expect(mean.shape == [groups, dims] && covariance.shape == [groups, dims, dims])
        for g in 0..<groups {
            let mu = (0..<dims).map { d in (0..<count).reduce(0.0) { $0 + Double(x[g, $1, d]) } / Double(count) }
            for d in 0..<dims { #expect(abs(Double(mean[g, d]) - mu[d]) < 1e-5) }
            for i in 0..<dims {
                for j in 0..<dims {
                    let sum = (0..<count).reduce(0.0) { $0 + (Double(x[g, $1, i]) - mu[i]) * (Double(x[g, $1, j]) - mu[j]) }
                    let expected = sum / Double(count - 1) + (i == j ? 0.25 : 0)
                    #expect(abs(Double(covariance[g, i, j]) - expected) < 1e-5)
                }
            }
        }
    }

    @Test func documentedExample() throws {
        let (mean, covariance) = try Tensor(shape: [1, 3, 2], scalars: [0, 0, 1, 2, 2, 4]).meanAndCovariance(ridge: 0.5)
        #expect(mean.scalars == [1, 2])
        #expect(covariance.scalars == [1.5, 2, 2, 4.5])
        let x = try Tensor(shape: [1, 1, 2], scalars: [3, 4])
        let identity = try Tensor(shape: [1, 2, 2], scalars: [1, 0, 0, 1])
        #expect(try x.mahalanobisDistances(mean: .zeros([1, 2]), inverseCovariance: identity).scalars == [5])
    }

    // tolerance: 1e-4 relative on distances of order 1 to 10 (Float32 quadratic forms of 6 terms).
    @Test func mahalanobisDistancesMatchTheQuadraticForm() throws {
        let (batch, groups, dims) = (3, 4, 6)
        let x = Self.samples([batch, groups, dims], seed: 8), mean = Self.samples([groups, dims], seed: 9)
        // Σ⁻¹ = A Aᵀ + I per group: symmetric positive definite.
        let a = Self.samples([groups, dims, dims], seed: 10)
        let inverse = try a.matmul(a.permuted([0, 2, 1])) + Tensor(shape: [1, dims, dims], scalars: (0..<(dims * dims)).map { $0 % (dims + 1) == 0 ? 1 : 0 })
        let distances = try x.mahalanobisDistances(mean: mean, inverseCovariance: inverse)
        #expect(distances.shape == [batch, groups])
        for b in 0..<batch {
            for g in 0..<groups {
                var total = 0.0
                for i in 0..<dims {
                    for j in 0..<dims {
                        total += (Double(x[b, g, i]) - Double(mean[g, i])) * Double(inverse[g, i, j]) * (Double(x[b, g, j]) - Double(mean[g, j]))
                    }
                }
                #expect(abs(Double(distances[b, g]) - total.squareRoot()) <= 1e-4 * total.squareRoot())
            }
        }
    }

    @Test func badShapesAndTrackedInputsThrow() throws {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 1, 3]).meanAndCovariance() }
        #expect(throws: TensorError.self) { try Tensor.zeros([4, 3]).meanAndCovariance() }
        #expect(throws: TensorError.self) {
            try Tensor.zeros([1, 2, 3]).mahalanobisDistances(mean: .zeros([2, 2]), inverseCovariance: .zeros([2, 3, 3]))
        }
        let tape = GradientTape()
        #expect(throws: TensorError.self) { try tape.watch(Tensor.zeros([1, 3, 2])).meanAndCovariance() }
        #expect(throws: TensorError.self) {
            try tape.watch(Tensor.zeros([1, 1, 2])).mahalanobisDistances(mean: .zeros([1, 2]), inverseCovariance: .zeros([1, 2, 2]))
        }
    }
}
