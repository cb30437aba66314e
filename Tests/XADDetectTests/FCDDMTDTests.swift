import Foundation
import Testing
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// FCDD on MTD v1 (`../shared/data/mtd`, XADKit's protocol v1), unsupervised and
/// semi-supervised. The labelled anomalies of the semi-supervised mode are the first five
/// images (by file name) of each defect class; they are kept out of the test set in both modes,
/// so the two modes are measured on the same 605 test images.
@Suite("FCDD on MTD", .serialized)
struct FCDDMTDTests {
    /// The image and pixel metrics of a model, as `xad evaluate` computes them (maps at the
    /// model's resolution, masks resized nearest to it).
    struct Metrics: CustomStringConvertible {
        var imageAUROC: Double, pixelAUROC: Double, aupro: Double
        var description: String { "image AUROC \(imageAUROC), pixel AUROC \(pixelAUROC), AUPRO \(aupro)" }
    }

    /// MTD v1 with the labelled anomalies taken out of its test set, and those anomalies.
    static func split() throws -> (dataset: Dataset, labelled: [SampleReference]) {
        var dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let labelled = Dictionary(grouping: dataset.test.filter { $0.label.isAnomalous }, by: \.category)
            .sorted { $0.key < $1.key }
            .flatMap { $0.value.sorted { $0.image.lastPathComponent < $1.image.lastPathComponent }.prefix(5) }
        dataset.test.removeAll { labelled.contains($0) }
        return (dataset, labelled)
    }

    /// A list file naming `references` (image, then mask), for the `labelled` option.
    static func labelList(_ references: [SampleReference]) throws -> String {
        let lines = try references.map { reference -> String in
            guard case .file(let mask, _) = reference.mask else { throw DetectorError.invalidInput("\(reference.name) has no mask file") }
            return "\(reference.image.path) \(mask.path)"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fcdd-labelled-\(UUID().uuidString).txt")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func measure(_ model: some AnomalyDetector, on test: [SampleReference]) throws -> Metrics {
        var scores: [Float] = [], labels: [Bool] = [], maps: [ScoreMap] = [], masks: [DefectMask] = []
        let preprocessing = model.setup.preprocessing
        for start in stride(from: 0, to: test.count, by: 8) {
            let samples = try test[start..<Swift.min(start + 8, test.count)].map { try $0.load() }
            let batch = try Tensor.concatenate(samples.map { try preprocessing($0.image) }, axis: 0)
            for (sample, result) in zip(samples, try model.score(batch: batch)) {
                scores.append(result.score)
                labels.append(sample.reference.label.isAnomalous)
                let (height, width) = (result.map.shape[0], result.map.shape[1])
                maps.append(try ScoreMap(height: height, width: width, scores: result.map.scalars))
                let mask = try sample.mask.resized(to: preprocessing.imageSize, mode: .nearest)
                masks.append(try DefectMask(height: height, width: width, isDefect: mask.scalars.map { $0 >= 0.5 }))
            }
        }
        let pixels = try PixelMetrics(maps: maps, masks: masks)
        return Metrics(imageAUROC: try auroc(scores: scores, labels: labels), pixelAUROC: try pixels.auroc(), aupro: try pixels.aupro())
    }

    static func fitted(on train: [SampleReference], size: Int, options: FCDD.Options, progress: FitProgress? = nil) throws -> FCDD {
        let setup = DetectorSetup(layers: FCDD.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(size)))
        let context = FitContext(images: ImageFiles(paths: train.map(\.image.path)), setup: setup,
                                 backbone: try Backbones.load(setup.backbone), training: TrainingSettings(seed: 0),
                                 progress: progress)
        return try FCDD.fit(context, options: options)
    }

    /// `make test`'s real-data check: trained for 15 epochs on 32 MTD training images at
    /// 128 x 128, FCDD's heat maps rank the defect pixels of 16 defective test tiles (and every
    /// pixel of 16 normal ones) with pixel AUROC at least 0.6 (chance is 0.5).
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func beatsChanceOnATinyMTDSubset() throws {
        let (dataset, _) = try Self.split()
        var options = FCDD.Options()
        options.epochs = 15
        let model = try Self.fitted(on: Array(dataset.train.prefix(32)), size: 128, options: options)
        let normals = dataset.test.filter { !$0.label.isAnomalous }.prefix(16)
        let anomalous = dataset.test.filter(\.label.isAnomalous)
        let picked = stride(from: 0, to: anomalous.count, by: anomalous.count / 16).prefix(16).map { anomalous[$0] }
        let metrics = try Self.measure(model, on: Array(normals) + picked)
        print("FCDD tiny MTD subset: \(metrics)")
        #expect(metrics.pixelAUROC >= 0.6)
    }

    /// The README's MTD figures: `XAD_FCDD_MTD=<epochs>` to run (image size `XAD_FCDD_SIZE`,
    /// default 256; `XAD_FCDD_MODE=unsupervised|semi|both`, default both).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_FCDD_MTD"] != nil && SharedData.shouldTest("mtd")))
    func mtdFigures() throws {
        let environment = ProcessInfo.processInfo.environment
        let (dataset, labelled) = try Self.split()
        var options = FCDD.Options()
        options.epochs = Int(environment["XAD_FCDD_MTD"] ?? "") ?? 50
        let size = Int(environment["XAD_FCDD_SIZE"] ?? "") ?? 256
        let mode = environment["XAD_FCDD_MODE"] ?? "both"
        let log: FitProgress = { stage, done, total in
            if done == total { FileHandle.standardError.write(Data("\(stage) \(done)/\(total)\n".utf8)) }
        }
        print("FCDD MTD: \(dataset.train.count) training images, \(dataset.test.count) test images; labelled: \(labelled.map(\.name))")
        for semi in mode == "both" ? [false, true] : [mode == "semi"] {
            var modeOptions = options
            if semi { modeOptions.labelled = try Self.labelList(labelled) }
            let started = ContinuousClock.now
            let model = try Self.fitted(on: dataset.train, size: size, options: modeOptions, progress: log)
            let fitSeconds = (ContinuousClock.now - started).seconds
            let trainingSeconds = model.trainingRecord?.seconds ?? .nan
            print("FCDD MTD \(semi ? "semi-supervised" : "unsupervised"), \(size) px, \(options.epochs) epochs: \(try Self.measure(model, on: dataset.test)); fit \(fitSeconds) s (training loop \(trainingSeconds) s)")
        }
    }
}
