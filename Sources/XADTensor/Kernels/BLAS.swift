#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one seam through which XADKit calls BLAS: OpenBLAS on Linux, Accelerate on Apple
/// platforms. Every matrix product in the package goes through here.
package enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, with `op(X) = X` or `Xᵀ`.
    /// `A` is m x k after `op`, `B` is k x n after `op`, `C` is m x n.
    @inline(__always)
    package static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The BLAS library, its build and the kernel it chose for this CPU, e.g. "OpenBLAS 0.3.21
    /// DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64" ("Accelerate" on Apple platforms): what
    /// instruction-count baselines are keyed by.
    package static var configuration: String {
        #if canImport(Accelerate)
        "Accelerate"
        #else
        openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        #endif
    }

    /// Sets BLAS's own thread count (a no-op where the library manages its threads).
    package static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }
}
