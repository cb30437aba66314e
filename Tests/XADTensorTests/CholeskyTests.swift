import Testing
import XADTensor

/// The one Cholesky factorisation against NumPy. The expected values are literals printed by
/// `python3 -c 'import numpy as np; ...'` (np.linalg.cholesky, np.linalg.solve, np.linalg.inv on
/// the matrices below, in float64).
@Suite("Cholesky factorisation, solve and inverse")
struct CholeskyTests {
    /// A 4 x 4 symmetric positive-definite matrix, row-major.
    static let matrix: [Double] = [4, 2, 0, 1, 2, 5, 1, 0, 0, 1, 3, 1, 1, 0, 1, 6]

    // tolerance: 1e-12 absolute (float64 throughout; entries are of order 1).
    @Test func factorSolveAndInverseMatchNumPy() throws {
        let cholesky = try Cholesky(Self.matrix, size: 4)
        let lower = [2.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.5, 1.6583123951777, 0.0,
                     0.5, -0.25, 0.6784005252999682, 2.2863229709016895]
        let solution = [0.8347826086956522, -1.0217391304347827, 1.4391304347826088, -0.2956521739130435]
        let inverse = [0.34347826086956523, -0.15217391304347827, 0.07391304347826086, -0.06956521739130433,
                       -0.15217391304347827, 0.28260869565217395, -0.10869565217391304, 0.043478260869565216,
                       0.07391304347826087, -0.10869565217391304, 0.39565217391304347, -0.07826086956521738,
                       -0.06956521739130435, 0.043478260869565216, -0.07826086956521738, 0.19130434782608693]
        #expect(zip(cholesky.lower, lower).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(try cholesky.solve([1, -2, 3, 0.5]), solution).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(cholesky.inverse(), inverse).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func smallSystemFromTheDocumentation() throws {
        // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0]. tolerance: 1e-12.
        let x = try Cholesky([4, 2, 2, 3], size: 2).solve([2, 1])
        #expect(abs(x[0] - 0.5) < 1e-12 && abs(x[1]) < 1e-12)
    }

    @Test func notPositiveDefiniteThrowsItsPivot() {
        // Eigenvalues 3 and -1: the second pivot is 1 - 4 = -3.
        #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 1)) { try Cholesky([1, 2, 2, 1], size: 2) }
        #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 0)) { try Cholesky([0, 0, 0, 1], size: 2) }
        #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 0)) { try Cholesky([.nan, 0, 0, 1], size: 2) }
    }

    @Test func wrongSizesThrowTensorErrors() throws {
        #expect(throws: TensorError.self) { try Cholesky([1, 0, 0], size: 2) }
        #expect(throws: TensorError.self) { try Cholesky([1, 0, 0, 1], size: 2).solve([1]) }
        #expect(try Cholesky([], size: 0).solve([]) == [])
    }

    // tolerance: 1e-6 relative + 1e-7 absolute (float32 output of a float64 inverse).
    @Test func batchedInverseMatchesNumPy() throws {
        let batch = try Tensor(shape: [2, 3, 3], scalars: [2, 1, 0, 1, 2, 1, 0, 1, 2, 9, 3, 1, 3, 4, 2, 1, 2, 5])
        let expected = try Tensor(shape: [2, 3, 3], scalars: [
            0.75, -0.5, 0.24999999999999994, -0.5, 1.0, -0.4999999999999999, 0.24999999999999994, -0.4999999999999999,
            0.7499999999999999, 0.14953271028037382, -0.12149532710280375, 0.01869158878504673, -0.12149532710280372,
            0.4112149532710281, -0.14018691588785048, 0.018691588785046735, -0.14018691588785048, 0.25233644859813087,
        ].map { Float($0) })
        let inverse = try batch.symmetricPositiveDefiniteInverse()
        #expect(inverse.isApproximatelyEqual(to: expected, absolute: 1e-7, relative: 1e-6))
        #expect(batch[1, 0, 0] == 9, "the caller's matrices are not overwritten")
    }

    @Test func batchedInverseNamesTheFirstFailingMatrix() throws {
        let batch = try Tensor(shape: [3, 2, 2], scalars: [1, 0, 0, 1, 1, 2, 2, 1, 0, 0, 0, 0])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 1, matrix: 1)) { try batch.symmetricPositiveDefiniteInverse() }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).symmetricPositiveDefiniteInverse() }
    }
}
