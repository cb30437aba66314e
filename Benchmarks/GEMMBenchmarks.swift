import XADTensor

/// `BLAS.sgemm` on square products (256, 512, 1,024) and on the pointwise convolutions of
/// EfficientNet-Lite0's batch-1 pass at 256 x 256 (C = weight [Cout, Cin] x features [Cin, H·W]),
/// plus the nearest-neighbour block (A · Bᵀ), in GFLOP/s per process CPU second on 1 and 2
/// threads (keys `sgemm_MxNxK[_nt]_{1,2}thread_cpu_gflops`): CPU time moves far less than wall
/// time with other programs' load. Key `gemm` names the GEMM that ran (`BLAS.configuration`).
///
/// `Tools/bench/gemm_compare.py` runs this suite once per GEMM (OpenBLAS's own kernel choice,
/// OpenBLAS forced to its AVX2 kernels, XADKit's at each CPU level) and tabulates the ratios.
struct GEMMBenchmarks: BenchmarkSuite {
    let name = "gemm"

    /// m, n, k and whether B is used transposed.
    static let shapes: [(m: Int, n: Int, k: Int, transposeB: Bool)] = [
        (256, 256, 256, false), (512, 512, 512, false), (1024, 1024, 1024, false),
        // The stem (3x3, im2col block of 75 rows), then each expansion and projection.
        (32, 9600, 27, false), (16, 16384, 32, false), (96, 16384, 16, false), (24, 4096, 96, false),
        (144, 4096, 24, false), (40, 1024, 144, false), (240, 1024, 40, false), (80, 256, 240, false),
        (480, 256, 80, false), (112, 256, 480, false), (672, 256, 112, false), (112, 256, 672, false),
        // NearestNeighbours: 1,024 queries against a block of 4,096 bank rows of 152 channels.
        (1024, 4096, 152, true),
    ]

    func run(into report: inout BenchmarkReport) throws {
        report.record(name, "gemm", BLAS.configuration)
        let threads = Threads.count
        defer { Threads.count = threads }
        var generator = SeededGenerator(seed: 3)
        for shape in Self.shapes {
            let a = Tensor.normal([shape.m, shape.k], generator: &generator)
            let b = Tensor.normal([shape.k, shape.n], generator: &generator)
            let c = Tensor.zeros([shape.m, shape.n])
            let key = "sgemm_\(shape.m)x\(shape.n)x\(shape.k)\(shape.transposeB ? "_nt" : "")"
            for count in [1, 2] {
                Threads.count = count
                let seconds = cpuSeconds {
                    BLAS.sgemm(transposeB: shape.transposeB, m: shape.m, n: shape.n, k: shape.k,
                               a: a.storage.base, lda: shape.k, b: b.storage.base, ldb: shape.transposeB ? shape.k : shape.n,
                               c: c.storage.base, ldc: shape.n)
                }
                let flops = 2 * Double(shape.m * shape.n * shape.k)
                report.record(name, "\(key)_\(count)thread_cpu_gflops", rounded(flops / seconds / 1e9, 1))
            }
        }
    }
}
