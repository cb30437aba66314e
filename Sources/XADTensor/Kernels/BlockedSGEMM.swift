import CXADKernels

/// XADKit's own single-precision matrix product (`Sources/CXADKernels/sgemm*.c`): BLIS-style
/// packing into cache-sized blocks and a register-tiled micro-kernel for each ``CPULevel``
/// (AVX-512 8 x 32, AVX2 6 x 16, portable 4 x 16), with C split over ``Threads/count`` threads.
/// ``BLAS`` decides when it runs instead of the BLAS library.
///
/// ```swift
/// BlockedSGEMM.multiply(level: .avx2, m: 2, n: 3, k: 4, a: a, lda: 4, b: b, ldb: 3, c: c, ldc: 3)
/// ```
package enum BlockedSGEMM {
    /// Multiply-adds below which one thread does the whole product: waking a second thread costs
    /// more than it saves (2^18 multiply-adds take about 5 µs).
    private static let minimumParallelWork = 1 << 18

    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, as ``BLAS/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``,
    /// with the micro-kernel of `level`, lowered to what the CPU supports (a kernel the CPU
    /// cannot run is never called). When `beta` is 0, C is not read; when `k` is 0, C becomes
    /// `beta * C`.
    package static func multiply(
        level: CPULevel, transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        let level = xad_cpu_level(rawValue: UInt32(Swift.min(level, CPULevel.detected).rawValue))
        var tileRows = 0, tileColumns = 0
        xad_sgemm_tile(level, &tileRows, &tileColumns)
        // Split C along its longer side into whole tiles, one block per thread.
        let splitColumns = n >= m
        let tiles = splitColumns ? (n + tileColumns - 1) / tileColumns : (m + tileRows - 1) / tileRows
        let parts = m * n * Swift.max(k, 1) < minimumParallelWork ? 1 : Swift.min(Threads.count, tiles)
        let pointers = UncheckedSendable((a, b, c))
        Threads.parallelFor(parts) { part in
            let (a, b, c) = pointers.value
            let first = tiles * part / parts, end = tiles * (part + 1) / parts
            if splitColumns {
                let left = first * tileColumns, width = Swift.min(n, end * tileColumns) - left
                xad_sgemm(level, transposeA, transposeB, m, width, k, alpha, a, lda,
                          transposeB ? b + left * ldb : b + left, ldb, beta, c + left, ldc)
            } else {
                let top = first * tileRows, height = Swift.min(m, end * tileRows) - top
                xad_sgemm(level, transposeA, transposeB, height, n, k, alpha,
                          transposeA ? a + top : a + top * lda, lda, b, ldb, beta, c + top * ldc, ldc)
            }
        }
    }
}
