#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import XADTensor

/// Matrix products, convolutions and elementwise kernels of XADTensor, on the shapes the issue
/// names (Tools/bench/peer_tensor.py times the same shapes in PyTorch).
///
/// Besides wall-clock medians with all threads, the sgemm and convolution shapes are also timed
/// on one thread by process CPU time (keys `..._1thread_cpu_gflops`): unlike wall time, that
/// figure hardly moves when other programs load the machine.
struct TensorBenchmarks: BenchmarkSuite {
    let name = "tensor"

    func run(into report: inout BenchmarkReport) throws {
        var generator = SeededGenerator(seed: 1)
        let sgemmGflops = try matrixProducts(into: &report, generator: &generator)
        try convolutions(into: &report, sgemmGflops: sgemmGflops, generator: &generator)
        try smallPlaneDepthwise(into: &report, timer: { try medianSeconds($0) }, suffix: "gflops", generator: &generator)
        let threads = Threads.count
        Threads.count = 1
        defer { Threads.count = threads }
        try oneThreadCPUTime(into: &report, generator: &generator)
        try smallPlaneDepthwise(into: &report, timer: { try cpuSeconds($0) }, suffix: "1thread_cpu_gflops", generator: &generator)

        let a = Tensor.normal([512, 512], generator: &generator)
        let b = Tensor.normal([512, 512], generator: &generator)
        let seconds = try medianSeconds { _ = try a * b }
        report.record(name, "elementwise_multiply_512x512_gb_per_s", rounded(Double(3 * 512 * 512 * 4) / seconds / 1e9))
    }

    /// 1024³ products: raw `BLAS.sgemm` and through `Tensor.matmul`. Returns the raw GFLOP/s.
    private func matrixProducts(into report: inout BenchmarkReport, generator: inout SeededGenerator) throws -> Double {
        let size = 1024, flops = 2 * Double(size * size * size)
        let a = Tensor.normal([size, size], generator: &generator)
        let b = Tensor.normal([size, size], generator: &generator)
        let c = Tensor.zeros([size, size])
        let raw = medianSeconds {
            // Writes into `c`'s buffer directly: the raw library call, no tensor around it.
            BLAS.sgemm(m: size, n: size, k: size, a: a.storage.base, lda: size, b: b.storage.base, ldb: size,
                       c: c.storage.base, ldc: size)
        }
        let sgemmGflops = flops / raw / 1e9
        report.record(name, "sgemm_1024_raw_gflops", rounded(sgemmGflops))
        let matmul = try medianSeconds { _ = try a.matmul(b) }
        report.record(name, "matmul_1024_gflops", rounded(flops / matmul / 1e9))
        report.record(name, "matmul_vs_sgemm_percent", rounded(100 * raw / matmul, 1))
        return sgemmGflops
    }

    /// conv2d forward passes: 3x3 and 1x1 64 -> 64 at 56x56, depthwise 3x3 at 112x112x32
    /// (stride 1 and 2), all batch 8. GFLOP/s count 2 flops per multiply-add; GB/s count the
    /// input, output and weight bytes once.
    private func convolutions(into report: inout BenchmarkReport, sgemmGflops: Double,
                              generator: inout SeededGenerator) throws {
        let features = Tensor.normal([8, 64, 56, 56], generator: &generator)
        for kernel in [3, 1] {
            let weight = Tensor.normal([64, 64, kernel, kernel], std: 0.05, generator: &generator)
            let seconds = try medianSeconds { _ = try features.conv2d(weight, padding: Size2(kernel / 2)) }
            let gflops = 2 * Double(8 * 64 * 56 * 56 * 64 * kernel * kernel) / seconds / 1e9
            report.record(name, "conv\(kernel)x\(kernel)_64_56_b8_gflops", rounded(gflops))
            if kernel == 3 { report.record(name, "conv3x3_vs_sgemm_percent", rounded(100 * gflops / sgemmGflops, 1)) }
        }

        let planes = Tensor.normal([8, 32, 112, 112], generator: &generator)
        let depthwise = Tensor.normal([32, 1, 3, 3], std: 0.3, generator: &generator)
        for stride in [1, 2] {
            let seconds = try medianSeconds {
                _ = try planes.conv2d(depthwise, stride: Size2(stride), padding: 1, groups: 32)
            }
            let outSize = (112 - 1) / stride + 1
            let outputs = Double(8 * 32 * outSize * outSize)
            let bytes = 4 * (Double(planes.count) + outputs + Double(depthwise.count))
            report.record(name, "depthwise3x3_112_c32_b8_s\(stride)_gflops", rounded(2 * 9 * outputs / seconds / 1e9))
            report.record(name, "depthwise3x3_112_c32_b8_s\(stride)_gb_per_s", rounded(bytes / seconds / 1e9))
        }
    }

    /// Depthwise 3x3 at batch 1 on the small planes of EfficientNet-Lite0's deeper stages (240
    /// channels at 16 x 16 and 32 x 32, stride 1 and 2), keys `depthwise3x3_c240_SIDE_b1_sSTRIDE_SUFFIX`,
    /// timed by `timer` (seconds of one run).
    private func smallPlaneDepthwise(into report: inout BenchmarkReport, timer: (() throws -> Void) throws -> Double,
                                     suffix: String, generator: inout SeededGenerator) throws {
        let weight = Tensor.normal([240, 1, 3, 3], std: 0.3, generator: &generator)
        for side in [16, 32] {
            let planes = Tensor.normal([1, 240, side, side], generator: &generator)
            for stride in [1, 2] {
                let seconds = try timer { _ = try planes.conv2d(weight, stride: Size2(stride), padding: 1, groups: 240) }
                let outSize = (side - 1) / stride + 1
                report.record(name, "depthwise3x3_c240_\(side)_b1_s\(stride)_\(suffix)",
                              rounded(2 * 9 * Double(240 * outSize * outSize) / seconds / 1e9))
            }
        }
    }

    /// GFLOP/s on one thread by process CPU time, best of several runs.
    private func oneThreadCPUTime(into report: inout BenchmarkReport, generator: inout SeededGenerator) throws {
        let a = Tensor.normal([1024, 1024], generator: &generator)
        let c = Tensor.zeros([1024, 1024])
        let sgemm = cpuSeconds {
            BLAS.sgemm(m: 1024, n: 1024, k: 1024, a: a.storage.base, lda: 1024, b: a.storage.base, ldb: 1024,
                       c: c.storage.base, ldc: 1024)
        }
        report.record(name, "sgemm_1024_raw_1thread_cpu_gflops", rounded(2 * 1024 * 1024 * 1024 / sgemm / 1e9))

        let features = Tensor.normal([8, 64, 56, 56], generator: &generator)
        for kernel in [3, 1] {
            let weight = Tensor.normal([64, 64, kernel, kernel], std: 0.05, generator: &generator)
            let seconds = try cpuSeconds { _ = try features.conv2d(weight, padding: Size2(kernel / 2)) }
            let flops = 2 * Double(8 * 64 * 56 * 56 * 64 * kernel * kernel)
            report.record(name, "conv\(kernel)x\(kernel)_64_56_b8_1thread_cpu_gflops", rounded(flops / seconds / 1e9))
        }
        let planes = Tensor.normal([8, 32, 112, 112], generator: &generator)
        let depthwise = Tensor.normal([32, 1, 3, 3], std: 0.3, generator: &generator)
        for stride in [1, 2] {
            let seconds = try cpuSeconds { _ = try planes.conv2d(depthwise, stride: Size2(stride), padding: 1, groups: 32) }
            let outSize = (112 - 1) / stride + 1
            report.record(name, "depthwise3x3_112_c32_b8_s\(stride)_1thread_cpu_gflops",
                          rounded(2 * 9 * Double(8 * 32 * outSize * outSize) / seconds / 1e9))
        }

        // Gradient explainers run a forward pass and the input's gradient through a frozen network.
        let dense = Tensor.normal([64, 64, 3, 3], std: 0.05, generator: &generator)
        report.record(name, "conv3x3_64_56_b8_with_input_gradient_1thread_cpu_ms",
                      try withInputGradientMilliseconds(features, dense, stride: 1, groups: 1))
        for stride in [1, 2] {
            report.record(name, "depthwise3x3_112_c32_b8_s\(stride)_with_input_gradient_1thread_cpu_ms",
                          try withInputGradientMilliseconds(planes, depthwise, stride: stride, groups: 32))
        }
    }

    /// Process CPU milliseconds of `input.conv2d(weight)` (padding 1) plus the input's gradient.
    private func withInputGradientMilliseconds(_ input: Tensor, _ weight: Tensor, stride: Int, groups: Int) throws -> Double {
        let seconds = try cpuSeconds {
            let tape = GradientTape()
            let x = tape.watch(input)
            let y = try x.conv2d(weight, stride: Size2(stride), padding: 1, groups: groups)
            _ = try tape.gradient(of: y, withRespectTo: x)
        }
        return rounded(1000 * seconds)
    }
}
