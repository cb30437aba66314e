import Foundation
import XADImage
import XADTensor

/// Image preprocessing speed: a 1024 x 1024 RGB float tensor resampled to 256 x 256 with each
/// filter (torchvision's `resize` on the same shape is timed by `Tools/bench/peer_transforms.py`),
/// and the default `Preprocessing` (resample + normalise) on a batch of 16 such images.
struct TransformBenchmarks: BenchmarkSuite {
    let name = "transforms"

    func run(into report: inout BenchmarkReport) throws {
        let side = 1024
        let image = try Tensor(shape: [1, 3, side, side],
                               scalars: (0..<(3 * side * side)).map { Float(($0 &* 2_654_435_761) % 1000) / 1000 })
        let target = Size2(256)
        for (filter, antialias) in [(ResampleFilter.bilinear, true), (.bicubic, true), (.bilinear, false), (.nearest, false)] {
            let seconds = try medianSeconds(repetitions: 9) {
                _ = try image.resampled(to: target, filter: filter, antialias: antialias)
            }
            report.record(name, "resize_1024_to_256_\(filter.rawValue)\(antialias ? "_antialias" : "")_ms",
                          rounded(seconds * 1000, 2))
        }
        let batch = try Tensor.concatenate([Tensor](repeating: image, count: 16), axis: 0)
        let prepare = Preprocessing()
        let seconds = try medianSeconds(repetitions: 3) { _ = try prepare(batch) }
        report.record(name, "preprocess_16x1024_images_per_s", rounded(16 / seconds, 1))
    }
}
