import Foundation
import XADModels
import XADTensor

/// EfficientNet-Lite0 feature extraction as detectors use it: taps stage1...stage3 (up to
/// stride 16) of 256x256 images, batch 1 and 16, in images per second, inference mode; the
/// same with gradients recorded (batch 1, forward and backward to the input); peak memory; and
/// one thread's CPU time per image (keys `_1thread_cpu_ms_per_image`) and of the network's
/// depthwise convolutions by plane size.
/// `Tools/bench/peer_backbone.py` times PyTorch (timm) on the same work.
struct BackboneBenchmarks: BenchmarkSuite {
    let name = "backbone"
    let size = 256

    func run(into report: inout BenchmarkReport) throws {
        let net = try EfficientNetLite.pretrained(.lite0)
        let residentBefore = Self.peakResidentMegabytes()
        var generator = SeededGenerator(seed: 7)
        for batch in [1, 16] {
            let input = Tensor.uniform([batch, 3, size, size], generator: &generator)
            let seconds = try medianSeconds(repetitions: batch == 1 ? 15 : 5) {
                _ = try net.features(input, upTo: "stage3")
            }
            report.record(name, "lite0_stride16_\(size)_b\(batch)_images_per_s", rounded(Double(batch) / seconds, 2))
        }
        // ru_maxrss only grows: run this suite alone (`xad-benchmarks backbone`) for a peak that
        // is the backbone's own; the resident size before it is recorded beside it.
        report.record(name, "peak_rss_mb_b16", rounded(Self.peakResidentMegabytes(), 1))
        report.record(name, "peak_rss_mb_before_backbone", rounded(residentBefore, 1))

        let image = Tensor.uniform([1, 3, size, size], generator: &generator)
        let seconds = try medianSeconds(repetitions: 5) {
            let tape = GradientTape()
            let x = tape.watch(image)
            let score = try net.features(x, upTo: "stage3")["stage3"].map { try $0.sum() } ?? Tensor(0)
            _ = try tape.gradient(of: score, withRespectTo: x)
        }
        report.record(name, "lite0_stride16_\(size)_b1_gradient_images_per_s", rounded(1 / seconds, 2))
        try oneThreadCPUTime(net, into: &report, generator: &generator)
    }

    /// Milliseconds of process CPU time per image on one thread (best of several runs), the
    /// figure that other processes' load on a shared machine hardly moves.
    private func oneThreadCPUTime(_ net: EfficientNetLite, into report: inout BenchmarkReport,
                                  generator: inout SeededGenerator) throws {
        let threads = Threads.count
        Threads.count = 1
        defer { Threads.count = threads }
        for batch in [1, 16] {
            let input = Tensor.uniform([batch, 3, size, size], generator: &generator)
            let seconds = try cpuSeconds(repetitions: batch == 1 ? 7 : 3) { _ = try net.features(input, upTo: "stage3") }
            report.record(name, "lite0_stride16_\(size)_b\(batch)_1thread_cpu_ms_per_image", rounded(seconds * 1000 / Double(batch), 2))
        }
        // The network's depthwise convolutions by plane size: the small planes of the deeper
        // stages are where its time goes (see BENCHMARKS.md).
        for (channels, side, kernel) in [(672, 16, 5), (240, 32, 5), (480, 16, 3), (144, 64, 3), (96, 128, 3)] {
            let x = Tensor.normal([1, channels, side, side], generator: &generator)
            let weight = Tensor.normal([channels, 1, kernel, kernel], std: 0.2, generator: &generator)
            let seconds = try cpuSeconds { _ = try x.conv2d(weight, padding: Size2(kernel / 2), groups: channels) }
            report.record(name, "depthwise\(kernel)x\(kernel)_c\(channels)_\(side)x\(side)_1thread_cpu_gflops",
                          rounded(2 * Double(channels * side * side * kernel * kernel) / seconds / 1e9, 1))
        }
    }

    /// The process's peak resident set size so far (`getrusage`), in MiB.
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024   // kilobytes on Linux
    }
}
