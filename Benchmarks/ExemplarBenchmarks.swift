import Foundation
import XADDetect
import XADExplain
import XADModels
import XADTensor

/// Nearest normal exemplars at MTD's scale: PatchCore (EfficientNet-Lite0, stage2 + stage3, fitted
/// on 8 smooth synthetic 256 x 256 images) explaining images against 215 normal images (MTD v1's
/// fit set is 215 images): seconds for the first explained image (the training features computed
/// and cached) and per later image (cache reused), image-score target. Later images also in
/// process CPU seconds on one thread (best of a few runs: the figure a loaded machine hardly
/// moves), beside the detector's own score of the image on one thread, which every later image
/// includes.
struct ExemplarBenchmarks: BenchmarkSuite {
    let name = "exemplars"
    let size = 256
    let normalImages = 215

    func run(into report: inout BenchmarkReport) throws {
        var generator = SeededGenerator(seed: 13)
        func smoothImage() throws -> Tensor {
            try Tensor.uniform([1, 3, size, size], generator: &generator).gaussianBlur(sigma: 6)
        }
        let model = try PatchCore.fit(on: InMemoryImages(try (0..<8).map { _ in try smoothImage() }),
                                      setup: DetectorSetup(layers: PatchCore.defaultLayers), options: PatchCore.Options(),
                                      backbone: try EfficientNetLite.pretrained(.lite0), progress: nil)
        let normals = InMemoryImages(try (0..<normalImages).map { _ in try smoothImage() })
        let images = try (0..<4).map { _ in try smoothImage() }
        let exemplars = NearestExemplars().using(ExplanationContext(normalImages: normals))
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try exemplars.explain(model, image: images[0], target: .imageScore)
        report.record(name, "first_image_seconds_\(normalImages)_normals_\(size)", rounded(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 3))
        var next = 1
        let seconds = try medianSeconds(repetitions: 3) {
            _ = try exemplars.explain(model, image: images[next % images.count], target: .imageScore)
            next += 1
        }
        report.record(name, "next_image_seconds_\(normalImages)_normals_\(size)", rounded(seconds, 3))
        let threads = Threads.count
        Threads.count = 1
        defer { Threads.count = threads }
        let cpu = try cpuSeconds(repetitions: 5) {
            _ = try exemplars.explain(model, image: images[next % images.count], target: .imageScore)
            next += 1
        }
        report.record(name, "next_image_1thread_cpu_seconds_\(normalImages)_normals_\(size)", rounded(cpu, 4))
        let score = try cpuSeconds(repetitions: 5) { _ = try model.score(image: images[0]) }
        report.record(name, "score_only_1thread_cpu_seconds_\(size)", rounded(score, 4))
    }
}
