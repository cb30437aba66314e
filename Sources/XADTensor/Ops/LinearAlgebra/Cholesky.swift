/// The Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite `n x n` matrix, in
/// Float64: solves `A x = b` and inverts `A`. The one factorisation in XADKit (PaDiM's
/// covariances, KernelSHAP's and the concept classifier's normal equations).
///
/// Only the lower triangle of `A` is read. Column by column,
/// `L[j][j] = √(A[j][j] - Σ_{k<j} L[j][k]²)` and `L[i][j] = (A[i][j] - Σ_{k<j} L[i][k] L[j][k]) / L[j][j]`
/// for `i > j`; a pivot under the root that is not positive (or NaN) throws
/// ``LinearAlgebraError/notPositiveDefinite(pivot:matrix:)``. `n³/6` multiply-adds: for
/// matrices of a few hundred rows, where a blocked LAPACK call would gain little.
///
/// ```swift
/// let cholesky = try Cholesky([4, 2, 2, 3], size: 2)   // lower = [2, 0, 1, √2]
/// try cholesky.solve([2, 1])                            // [0.5, 0]
/// cholesky.inverse()                                    // [0.375, -0.25, -0.25, 0.5]
/// ```
public struct Cholesky: Sendable {
    /// `n`.
    public let size: Int
    /// `L`, row-major `n x n`, zero above the diagonal.
    public let lower: [Double]

    /// Factors a row-major `size x size` matrix.
    /// - Throws: ``TensorError`` (`.shapeMismatch`) unless `matrix` holds `size²` values;
    ///   ``LinearAlgebraError/notPositiveDefinite(pivot:matrix:)`` when it is not positive definite.
    public init(_ matrix: [Double], size: Int) throws {
        guard size >= 0, matrix.count == size * size else {
            throw TensorError(.shapeMismatch, "Cholesky", "a \(size) x \(size) matrix needs \(size * size) values, got \(matrix.count)")
        }
        self.size = size
        lower = try Cholesky.factor(size: size) { matrix[$0] }
    }

    /// Factors the `size x size` Float32 matrix at `matrix` (row-major), read in Float64.
    package init(_ matrix: UnsafePointer<Float>, size: Int) throws(LinearAlgebraError) {
        self.size = size
        lower = try Cholesky.factor(size: size) { Double(matrix[$0]) }
    }

    /// `L` of the matrix whose row-major element `i` is `element(i)`.
    private static func factor(size n: Int, element: (Int) -> Double) throws(LinearAlgebraError) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = element(j * n + j)
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            guard diagonal > 0 else { throw .notPositiveDefinite(pivot: j) }
            let root = diagonal.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<Swift.max(j + 1, n) {
                var value = element(i * n + j)
                for k in 0..<j { value -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = value / root
            }
        }
        return l
    }

    /// `x` with `A x = b`: forward substitution `L y = b`, then back substitution `Lᵀ x = y`.
    /// - Throws: ``TensorError`` (`.shapeMismatch`) unless `b` holds `n` values.
    public func solve(_ b: [Double]) throws -> [Double] {
        let (n, l) = (size, lower)
        guard b.count == n else {
            throw TensorError(.shapeMismatch, "Cholesky.solve", "the right-hand side has \(b.count) values, the matrix \(n) rows")
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<Swift.max(i + 1, n) { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    /// `A⁻¹ = L⁻ᵀ L⁻¹`, row-major `n x n` and exactly symmetric.
    public func inverse() -> [Double] {
        let (n, l) = (size, lower)
        // L⁻¹ by forward substitution, column by column.
        var inverseL = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            for i in column..<n {
                var value: Double = i == column ? 1 : 0
                for k in column..<i { value -= l[i * n + k] * inverseL[k * n + column] }
                inverseL[i * n + column] = value / l[i * n + i]
            }
        }
        // A⁻¹[i][j] = Σ_k L⁻¹[k][i] L⁻¹[k][j], k >= max(i, j).
        var inverse = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var value: Double = 0
                for k in i..<n { value += inverseL[k * n + i] * inverseL[k * n + j] }
                inverse[i * n + j] = value
                inverse[j * n + i] = value
            }
        }
        return inverse
    }
}

extension Tensor {
    /// The inverse of every symmetric positive-definite matrix of a batch `[..., n, n]`, each by
    /// its ``Cholesky`` factor in Float64 (so a badly conditioned covariance loses no more than
    /// the final rounding to Float32), matrices spread over ``Threads/count`` threads.
    ///
    /// Consuming: when this value holds the last reference to its storage (e.g.
    /// `(consume covariance).symmetricPositiveDefiniteInverse()`), the inverses overwrite the
    /// matrices instead of taking a second buffer. Records nothing.
    ///
    /// ```swift
    /// let a = try Tensor(shape: [1, 2, 2], scalars: [4, 2, 2, 3])
    /// try a.symmetricPositiveDefiniteInverse().scalars   // [0.375, -0.25, -0.25, 0.5]
    /// ```
    /// - Throws: ``TensorError`` unless the shape is `[..., n, n]` and the tensor untracked;
    ///   ``LinearAlgebraError/notPositiveDefinite(pivot:matrix:)`` naming the first matrix (in
    ///   row-major batch order) that is not positive definite.
    public consuming func symmetricPositiveDefiniteInverse() throws -> Tensor {
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw TensorError.shapes("symmetricPositiveDefiniteInverse", [shape], "is not a batch of square matrices [..., n, n]")
        }
        guard !isTracked else {
            throw TensorError(.notDifferentiable, "symmetricPositiveDefiniteInverse", "records nothing; compute it outside the tape")
        }
        let n = shape[rank - 1], count = shape.dropLast(2).reduce(1, *)
        var matrices = consume self
        guard n > 0, count > 0 else { return matrices }
        var pivots = [Int](repeating: -1, count: count)
        matrices.withUnsafeMutableBufferPointer { values in
            pivots.withUnsafeMutableBufferPointer { pivots in
                let shared = UncheckedSendable((values, pivots))
                Threads.parallelFor(count) { m in
                    let (values, pivots) = shared.value
                    guard let matrix = values.baseAddress.map({ $0 + m * n * n }) else { return }
                    do throws(LinearAlgebraError) {
                        let inverse = try Cholesky(matrix, size: n).inverse()
                        for i in 0..<(n * n) { matrix[i] = Float(inverse[i]) }
                    } catch {
                        switch error { case .notPositiveDefinite(let pivot, _): pivots[m] = pivot }
                    }
                }
            }
        }
        if let failed = pivots.firstIndex(where: { $0 >= 0 }) {
            throw LinearAlgebraError.notPositiveDefinite(pivot: pivots[failed], matrix: failed)
        }
        return matrices
    }
}
