import Foundation
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// TCAV through the model-parameter randomisation check, in the order `QualityEvaluation` runs
/// it: for each explained image, the model and then each level of the cascade
/// (`ModelRandomisation`, 3 levels, randomised from stage3 down). The model is
/// ``SyntheticPaDiM``'s (256 x 256); the concept folder is synthetic: `stripes` and `checks`
/// (10 images each) and `random` (50 images, 10 random sets of 5), smooth 64 x 64 images.
///
/// Run twice, on one thread: with one TCAV value for the whole check (its concept vectors cached
/// per activation variant, so each level's are trained once) and with a fresh value per
/// explanation (the vectors trained on every call, as a cache that keeps one variant would once
/// levels alternate). Figures: process CPU seconds of the whole check and the number of vector
/// trainings (`TCAV.conceptVectorTrainings`).
struct TCAVBenchmarks: BenchmarkSuite {
    let name = "tcav"
    let size = 256
    let levels = 3
    let explainedImages = 2

    func run(into report: inout BenchmarkReport) throws {
        let (model, image) = try SyntheticPaDiM.modelAndImage(size: size)
        let images = [image, try image.gaussianBlur(sigma: 3)]
        let cascade = try [model] + ModelRandomisation(levels: levels).detectors(for: model).map(\.detector)
        let folder = try Self.conceptFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let threads = Threads.count
        Threads.count = 1
        defer { Threads.count = threads }

        /// CPU seconds and vector trainings of the whole check.
        func randomisationCheck(sharingVectors: Bool) throws -> (seconds: Double, trainings: Int) {
            let shared = TCAV(conceptFolder: folder)
            var freshTrainings = 0
            let start = processCPUSeconds()
            for image in images.prefix(explainedImages) {
                for detector in cascade {
                    let tcav = sharingVectors ? shared : TCAV(conceptFolder: folder)
                    _ = try tcav.explain(detector, image: image, target: .imageScore)
                    if !sharingVectors { freshTrainings += tcav.conceptVectorTrainings }
                }
            }
            return (processCPUSeconds() - start, sharingVectors ? shared.conceptVectorTrainings : freshTrainings)
        }
        let key = "randomisation_check_\(explainedImages)_images_\(levels)_levels"
        for (label, sharing) in [("cached", true), ("uncached", false)] {
            let (seconds, trainings) = try randomisationCheck(sharingVectors: sharing)
            report.record(name, "\(key)_\(label)_1thread_cpu_seconds", rounded(seconds, 2))
            report.record(name, "\(key)_\(label)_vector_trainings", trainings)
        }
    }

    /// A synthetic concept folder in a new temporary folder.
    static func conceptFolder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-tcav-bench-\(UUID().uuidString)")
        var generator = SeededGenerator(seed: 17)
        let side = 64
        func smooth() throws -> Tensor { try Tensor.uniform([1, 3, side, side], generator: &generator).gaussianBlur(sigma: 3) }
        func pattern(_ value: (Int, Int) -> Float) -> Tensor {
            Tensor(shape: [1, 3, side, side]) { out in
                for c in 0..<3 { for y in 0..<side { for x in 0..<side { out[(c * side + y) * side + x] = value(y, x) } } }
            }
        }
        let stripes = pattern { _, x in (x / 3) % 2 == 0 ? 0.2 : -0.2 }
        let checks = pattern { y, x in (y / 8 + x / 8) % 2 == 0 ? 0.2 : -0.2 }
        let sets: [(String, Int, Tensor?)] = [("stripes", 10, stripes), ("checks", 10, checks), ("random", 50, nil)]
        for (concept, count, overlay) in sets {
            let set = root.appendingPathComponent(concept)
            try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
            for index in 0..<count {
                var image = try smooth()
                if let overlay { image = try (image + overlay).clamped(min: 0, max: 1) }
                try Image(tensor: image).write(to: set.appendingPathComponent(String(format: "%03d.png", index)))
            }
        }
        return root
    }
}
