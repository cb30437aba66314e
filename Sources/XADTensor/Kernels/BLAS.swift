#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
import Glibc
#endif

/// The one seam through which XADKit calls BLAS: OpenBLAS on Linux, Accelerate on Apple
/// platforms, or XADKit's own ``BlockedSGEMM`` where ``gemm`` says so. Every matrix product in
/// the package goes through here.
package enum BLAS {
    /// Who computes ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
    package enum GEMM: Equatable, Sendable {
        /// The BLAS library (OpenBLAS, or Accelerate on Apple platforms).
        case library
        /// ``BlockedSGEMM`` with the micro-kernel of this level.
        case blocked(CPULevel)
    }

    /// The rule, decided once per process: ``BlockedSGEMM`` on CPUs with AVX-512
    /// (``CPULevel/current``), the library everywhere else.
    ///
    /// Why (BENCHMARKS.md, "Speed round 2"): Debian's OpenBLAS 0.3.21 runs its AVX2 (Haswell)
    /// kernels on AVX-512 CPUs it does not know (AMD Zen 5: half the speed the cores give), and on
    /// the AVX-512 CPU it does know here (Zen 4, Cooperlake kernels) ours measured as fast on large
    /// products and up to 1.7x faster on the batch-1 backbone's small ones. At the AVX2 level
    /// OpenBLAS's Haswell kernels beat ours on small-m and transposed shapes, so the library
    /// stays. Accelerate is always kept on Apple platforms. `XAD_GEMM=blas` or `XAD_GEMM=blocked`
    /// in the environment overrides the rule (for benchmarks and tests; the blocked kernel still
    /// runs at ``CPULevel/current``).
    package static let gemm: GEMM = {
        #if canImport(Accelerate)
        return .library
        #else
        switch getenv("XAD_GEMM").map({ String(cString: $0) }) {
        case "blas": return .library
        case "blocked": return .blocked(CPULevel.current)
        default: return CPULevel.current >= .avx512 ? .blocked(CPULevel.current) : .library
        }
        #endif
    }()

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
        if case .blocked(let level) = gemm {
            BlockedSGEMM.multiply(level: level, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Which GEMM runs, then the BLAS library, its build and the kernel it chose for this CPU:
    /// e.g. "XADKit sgemm avx512; OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake
    /// MAX_THREADS=64", or the library's line alone when it computes sgemm ("Accelerate" on Apple
    /// platforms): what instruction-count baselines are keyed by.
    package static var configuration: String {
        #if canImport(Accelerate)
        let library = "Accelerate"
        #else
        let library = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        #endif
        guard case .blocked(let level) = gemm else { return library }
        return "XADKit sgemm \(level); \(library)"
    }

    /// Sets BLAS's own thread count (a no-op where the library manages its threads).
    package static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }
}
