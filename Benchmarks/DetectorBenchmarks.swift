import Foundation
import Synchronization
import XADData
import XADDetect
import XADModels
import XADTensor

/// PaDiM and PatchCore on MTD protocol v1 (`../shared/data/mtd`): fit time (features and, for
/// PatchCore, the 10% coreset), scoring throughput at batch 1 and 16, and peak memory.
/// Run alone (`xad-benchmarks detectors`) for a meaningful peak.
struct DetectorBenchmarks: BenchmarkSuite {
    let name = "detectors"

    func run(into report: inout BenchmarkReport) throws {
        guard let root = sharedData("mtd", into: &report) else { return }
        let dataset = try DatasetFormats.load(root, format: "mtd")
        let backbone = try Backbones.load("efficientnet-lite0")
        let training = DatasetImages(dataset.train)
        // 32 test images, prepared once, for the scoring throughput.
        let setup = DetectorSetup(layers: PaDiM.defaultLayers)
        let prepared = try dataset.test.prefix(32).map { try setup.preprocessing($0.load().image) }

        let clock = ContinuousClock()
        var start = clock.now
        let padim = try PaDiM.fit(on: training, setup: setup, options: PaDiM.Options(), backbone: backbone, progress: nil)
        report.record(name, "padim_fit_seconds", rounded((clock.now - start).seconds, 2))
        try recordScoring(padim, prepared, "padim", into: &report)

        let coresetStart = Mutex(clock.now)
        start = clock.now
        let patchCore = try PatchCore.fit(
            on: training, setup: DetectorSetup(layers: PatchCore.defaultLayers), options: PatchCore.Options(),
            backbone: backbone, progress: { stage, done, _ in
                if stage == "coreset" && done == 0 { coresetStart.withLock { $0 = clock.now } }
            })
        report.record(name, "patchcore_fit_seconds", rounded((clock.now - start).seconds, 2))
        report.record(name, "patchcore_coreset_seconds", rounded((clock.now - coresetStart.withLock { $0 }).seconds, 2))
        try recordScoring(patchCore, prepared, "patchcore", into: &report)
        report.record(name, "peak_resident_megabytes", rounded(BackboneBenchmarks.peakResidentMegabytes(), 0))
    }

    private func recordScoring(_ detector: some AnomalyDetector, _ images: [Tensor], _ key: String,
                               into report: inout BenchmarkReport) throws {
        for batchSize in [1, 16] {
            let batches = try stride(from: 0, to: images.count, by: batchSize).map {
                try Tensor.concatenate(Array(images[$0..<Swift.min($0 + batchSize, images.count)]), axis: 0)
            }
            let seconds = try medianSeconds(repetitions: 3) { for batch in batches { _ = try detector.score(batch: batch) } }
            report.record(name, "\(key)_scoring_batch\(batchSize)_images_per_second", rounded(Double(images.count) / seconds, 1))
        }
    }
}
