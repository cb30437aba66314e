/// Matrix products through `BLAS.sgemm`, forward and backward, without copying operands
/// (transposes are passed to sgemm, never materialised).
///
/// Supported shapes:
/// - `[m, k] x [k, n] -> [m, n]`;
/// - `[B..., m, k] x [B..., k, n] -> [B..., m, n]` with identical leading (batch) dimensions;
/// - `[B..., m, k] x [k, n] -> [B..., m, n]`: the matrix applies to every batch entry, which is
///   one sgemm over the `B·m` rows.
///
/// With `transposingOther: true` the right operand is read transposed (`[..., n, k]`), which is
/// how a linear layer applies its `[out, in]` weight: `x.matmul(weight, transposingOther: true)`.
///
/// ```swift
/// let a = Tensor.ones([2, 3]), b = Tensor.ones([3, 4])
/// try a.matmul(b).shape                                          // [2, 4], every element 3
/// try a.matmul(Tensor.ones([5, 3]), transposingOther: true).shape   // [2, 5]
/// ```
extension Tensor {
    /// The matrix product `self · other`, or `self · otherᵀ` (last two axes) when
    /// `transposingOther`; see the type's notes for the shapes accepted.
    ///
    /// Gradients: `dA = g · Bᵀ`, `dB = Aᵀ · g` (summed over the batch when `B` is shared), each
    /// one sgemm per batch entry with the transposes passed to BLAS.
    /// - Throws: ``TensorError`` (`.shapeMismatch`) naming both shapes when the inner sizes or
    ///   batch dimensions disagree or a rank is below 2.
    public func matmul(_ other: Tensor, transposingOther: Bool = false) throws -> Tensor {
        let product = try MatrixProduct(shape, other.shape, transposeB: transposingOther)
        let result = Tensor(shape: product.resultShape) { out in
            guard let c = out.baseAddress else { return }
            product.forward(storage.base, other.storage.base, into: c)
        }
        guard Tensor.anyTracked(self, other) else { return result }
        return Tensor.recording(result, "matmul", inputs: [self, other]) { [a = detached, b = other.detached] g, needed in
            [needed[0] ? Tensor(shape: a.shape) { out in
                if let base = out.baseAddress { product.gradientA(g.storage.base, b.storage.base, into: base) }
             } : nil,
             needed[1] ? Tensor(shape: b.shape) { out in
                if let base = out.baseAddress { product.gradientB(a.storage.base, g.storage.base, into: base) }
             } : nil]
        }
    }
}

/// The sizes of a (batched) matrix product and the sgemm calls that compute it.
struct MatrixProduct: Sendable {
    let m: Int, k: Int, n: Int
    /// Number of independent products; 1 when the right operand is shared.
    let batch: Int
    /// True when `B` is stored `[n, k]` and used transposed.
    let transposeB: Bool
    let resultShape: [Int]

    init(_ a: [Int], _ b: [Int], transposeB: Bool) throws {
        let fail = { (problem: String) in TensorError.shapes("matmul", [a, b], problem) }
        guard a.count >= 2, b.count >= 2 else { throw fail("need rank 2 or more") }
        let rows = a[a.count - 2], inner = a[a.count - 1]
        let (bInner, columns) = transposeB ? (b[b.count - 1], b[b.count - 2]) : (b[b.count - 2], b[b.count - 1])
        guard bInner == inner else {
            throw fail("do not match: \(inner) columns against \(bInner) \(transposeB ? "columns of the transposed operand" : "rows")")
        }
        self.transposeB = transposeB
        let batchA = Array(a.dropLast(2))
        k = inner
        n = columns
        resultShape = batchA + [rows, columns]
        if b.count == 2 {
            // One sgemm over all batch rows: [B·m, k] x [k, n].
            m = batchA.reduce(1, *) * rows
            batch = 1
        } else {
            guard Array(b.dropLast(2)) == batchA else { throw fail("have different batch dimensions") }
            m = rows
            batch = batchA.reduce(1, *)
        }
    }

    /// `C = A · B` for every batch entry.
    func forward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>) {
        // BLAS rejects a leading dimension of 0, so an empty inner product is written directly.
        if k == 0 { c.initialize(repeating: 0, count: batch * m * n); return }
        for i in 0..<batch {
            BLAS.sgemm(transposeB: transposeB, m: m, n: n, k: k, a: a + i * m * k, lda: k,
                       b: b + i * k * n, ldb: transposeB ? k : n, c: c + i * m * n, ldc: n)
        }
    }

    /// `dA = G · Bᵀ` (or `G · B` when `B` is used transposed) for every batch entry.
    func gradientA(_ g: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        if k == 0 { return }
        if n == 0 { gradient.initialize(repeating: 0, count: batch * m * k); return }
        for i in 0..<batch {
            BLAS.sgemm(transposeB: !transposeB, m: m, n: k, k: n, a: g + i * m * n, lda: n,
                       b: b + i * k * n, ldb: transposeB ? k : n, c: gradient + i * m * k, ldc: k)
        }
    }

    /// `dB = Aᵀ · G` (or `Gᵀ · A`, `[n, k]`, when `B` is used transposed) for every batch entry;
    /// for a shared `B`, one product over all batch rows.
    func gradientB(_ a: UnsafePointer<Float>, _ g: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        if n == 0 || k == 0 { return }
        if m == 0 { gradient.initialize(repeating: 0, count: batch * k * n); return }
        for i in 0..<batch {
            if transposeB {
                BLAS.sgemm(transposeA: true, m: n, n: k, k: m, a: g + i * m * n, lda: n, b: a + i * m * k, ldb: k,
                           c: gradient + i * k * n, ldc: k)
            } else {
                BLAS.sgemm(transposeA: true, m: k, n: n, k: m, a: a + i * m * k, lda: k, b: g + i * m * n, ldb: n,
                           c: gradient + i * k * n, ldc: n)
            }
        }
    }
}
