import XADTensor

/// Matrix products, convolutions and elementwise kernels of XADTensor.
struct TensorBenchmarks: BenchmarkSuite {
    let name = "tensor"

    func run(into report: inout BenchmarkReport) throws {
        var generator = SeededGenerator(seed: 1)
        let a = Tensor.normal([512, 512], generator: &generator)
        let b = Tensor.normal([512, 512], generator: &generator)
        let seconds = try medianSeconds { _ = try a * b }
        report.record(name, "elementwise_multiply_512x512_gb_per_s", rounded(Double(3 * 512 * 512 * 4) / seconds / 1e9))
    }
}
