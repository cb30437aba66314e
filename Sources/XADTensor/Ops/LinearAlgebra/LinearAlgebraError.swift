/// A linear-algebra routine refused a matrix for its values (its shape being fine): the caller
/// can react, e.g. by regularising more, instead of the process trapping.
///
/// ```swift
/// do { _ = try Cholesky([1, 2, 2, 1], size: 2) }
/// catch LinearAlgebraError.notPositiveDefinite(let pivot, _) { print(pivot) }   // 1
/// ```
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The matrix is not (numerically) symmetric positive definite: the Cholesky factorisation
    /// met a pivot that is not positive (or is NaN) at row and column `pivot`. `matrix` is the
    /// matrix's index in a batch, 0 for a single matrix.
    case notPositiveDefinite(pivot: Int, matrix: Int = 0)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let pivot, let matrix):
            "matrix \(matrix) is not positive definite (Cholesky pivot \(pivot) is not positive)"
        }
    }
}
