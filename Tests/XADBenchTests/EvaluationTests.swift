import Foundation
import Testing
import XADBench
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// A detector whose results are read off the image, so that the expected metrics can be worked
/// out by hand: the map is the prepared image's first channel, the score its top-left pixel.
private struct ReadOffDetector: AnomalyDetector {
    typealias Options = NoOptions
    static let name = "read-off"
    static let summary = "test detector: map = first channel, score = top-left pixel"
    let setup = DetectorSetup(layers: [], preprocessing: Preprocessing(imageSize: Size2(32)))
    let options = Options()

    static let defaultLayers: [String] = []
    static let traits = DetectorTraits(needsBackbone: false)

    static func fit(_ context: FitContext, options: Options) throws -> ReadOffDetector { ReadOffDetector() }

    func score(batch: Tensor) throws -> [AnomalyResult] {
        try (0..<batch.shape[0]).map { b in
            let map = try batch.sliced(axis: 0, range: b..<(b + 1)).sliced(axis: 1, range: 0..<1).reshaped([32, 32])
            return AnomalyResult(score: map.scalars[0], map: map,
                                 provenance: Provenance(layers: [], grid: Size2(32), patchScores: map))
        }
    }

    var fittedTensors: [String: Tensor] { [:] }
    init() {}
    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {}
}

@Suite("Evaluation and fitting")
struct EvaluationTests {
    /// 32 x 32 gray images of one `background` value, anomalous ones with a white 8 x 8 square
    /// (and its mask unless `masked` is false): normal 0.1 and 0.5; "dent" 0.6 and 0.3; "hole" 0.9.
    static func handMadeDataset() throws -> (Dataset, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func write(_ name: String, background: Float, square: Float?) throws -> URL {
            let url = root.appendingPathComponent(name)
            let pixels = Tensor(shape: [1, 1, 32, 32]) { out in
                for y in 0..<32 { for x in 0..<32 { out[y * 32 + x] = (8..<16).contains(y) && (8..<16).contains(x) ? square ?? background : background } }
            }
            try Image(tensor: pixels).write(to: url, format: .png)
            return url
        }
        var test: [SampleReference] = []
        for (index, value) in ([0.1, 0.5] as [Float]).enumerated() {
            test.append(SampleReference(image: try write("good\(index).png", background: value, square: nil), label: .normal, category: "good"))
        }
        for (category, values, masked) in [("dent", [0.6, 0.3] as [Float], true), ("hole", [0.9] as [Float], false)] {
            for (index, value) in values.enumerated() {
                let image = try write("\(category)\(index).png", background: value, square: 1)
                let mask = try write("\(category)\(index)_mask.png", background: 0, square: 1)
                test.append(SampleReference(image: image, label: .anomalous, category: category,
                                            mask: masked ? .file(mask, threshold: 128) : nil))
            }
        }
        return (Dataset(name: "hand-made", train: [], test: test), root)
    }

    @Test func metricsOverallAndPerClassMatchHandWorkedValues() throws {
        let (dataset, root) = try Self.handMadeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        // Scores are 2v - 1 of the 8-bit backgrounds (preprocessing: mean = std = 0.5), ordered as v.
        let report = try Evaluator(batchSize: 2).evaluate(ReadOffDetector(), on: dataset, threshold: 0)
        let overall = report.overall
        #expect(overall.images == 5 && overall.anomalous == 3)
        // Anomalous 0.6, 0.3, 0.9 against normal 0.1, 0.5: 5 of 6 pairs ranked right.
        let fiveSixths: Double = 5.0 / 6.0
        #expect(abs(try #require(overall.imageAUROC) - fiveSixths) < 1e-12)
        // Pixels: every defect pixel (white) is above every normal pixel (backgrounds <= 0.9);
        // "hole" has no mask and is left out of pixel metrics.
        #expect(overall.pixelImages == 4)
        #expect(overall.pixelAUROC == 1)
        #expect(abs(try #require(overall.aupro) - 1) < 1e-9)
        #expect(report.classes.map(\.name) == ["dent", "hole"])
        let dent = report.classes[0].metrics
        // dent 0.6, 0.3 against 0.1, 0.5: 3 of 4 pairs; AP = 0.5 * 1 + 0.5 * 2/3; F1-max 0.8 at the 0.3 image.
        #expect(dent.images == 4 && dent.anomalous == 2)
        #expect(abs(try #require(dent.imageAUROC) - 0.75) < 1e-12)
        #expect(abs(try #require(dent.averagePrecision) - fiveSixths) < 1e-12)
        #expect(abs(try #require(dent.f1Max) - 0.8) < 1e-12)
        let preparedBackground: Double = 2 * 77 / 255 - 1   // 0.3 stored as 77/255, then (v - 0.5) / 0.5
        #expect(abs(try #require(dent.f1Threshold) - preparedBackground) < 1e-6)
        let hole = report.classes[1].metrics
        #expect(hole.imageAUROC == 1)
        // With no mask, the normal images' empty masks leave no defect pixel: undefined, with a reason.
        #expect(hole.pixelAUROC == nil && hole.aupro == nil)
        #expect(hole.undefined["pixel_auroc"] != nil)
        // At threshold 0 (v >= 0.5): anomalous 0.6 and 0.9 flagged, normal 0.5 flagged.
        let check = try #require(report.atThreshold)
        let twoThirds: Double = 2.0 / 3.0
        #expect(check.threshold == 0 && check.truePositiveRate == twoThirds && check.falsePositiveRate == 0.5)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
    }

    @Test func unreadableTestImagesFailOrAreSkipped() throws {
        let (handMade, root) = try Self.handMadeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        var dataset = handMade
        let broken = root.appendingPathComponent("broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]).write(to: broken)
        dataset.test.append(SampleReference(image: broken, label: .anomalous, category: "dent"))
        let error = #expect(throws: (any Error).self) { try Evaluator().evaluate(ReadOffDetector(), on: dataset) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("broken.png"))
        let warnings = Warnings()
        let report = try Evaluator(onBadImage: .skip).evaluate(ReadOffDetector(), on: dataset, warn: warnings.add)
        #expect(report.skipped == [broken.path])
        #expect(report.overall.images == 5)
        #expect(warnings.lines.count == 1 && warnings.lines[0].contains("broken.png"))
        #expect(throws: EvaluationError.noTestImages("none")) {
            try Evaluator().evaluate(ReadOffDetector(), on: Dataset(name: "none", train: [], test: []))
        }
    }

    @Test func fittingHoldsOutNormalImagesAndThresholdsAtTheirPercentile() throws {
        let data = try SyntheticDataset(normal: 10, perClass: 1)
        defer { data.remove() }
        let dataset = try DatasetFormats.load(data.root, format: "folder")
        #expect(dataset.train.count == 8)
        let fitting = ModelFitting(detector: "padim", layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)),
                                   options: try OptionOverrides(json: #"{"channels": 20}"#), holdoutFraction: 0.5, thresholdPercentile: 99)
        let fitted = try fitting.fit(on: dataset.train)
        #expect(fitted.trainingImages == 4 && fitted.calibrationImages == 4 && !fitted.calibratedOnTrainingImages)
        #expect((fitted.model.detector.options as? PaDiM.Options)?.channels == 20)
        // Held out: every second image (indices 1, 3, 5, 7); their scores, recomputed here.
        let heldOut = [1, 3, 5, 7].map { dataset.train[$0] }
        let detector = fitted.model.detector
        let rescored = try heldOut.map { try detector.score(batch: try detector.setup.preprocessing(try $0.load().image))[0].score }
        for (a, b) in zip(rescored, fitted.calibrationScores) { #expect(abs(a - b) <= 1e-4 * abs(a)) }   // batch of 4 vs 1: summation order
        // NumPy's percentile(s, 99) of 4 values: s[2] + 0.97 (s[3] - s[2]).
        let sorted = fitted.calibrationScores.map(Double.init).sorted()
        let expected = sorted[2] + 0.97 * (sorted[3] - sorted[2])
        let threshold = Double(try #require(fitted.model.threshold))
        #expect(abs(threshold - expected) <= 1e-5 * expected)
        let normaliser = try #require(fitted.model.normalisation)
        #expect(abs(normaliser(threshold) - 0.5) < 1e-6)
        #expect(normaliser(sorted[0]) == 0)
    }

    @Test func badOptionsAndUnknownDetectorsAreExplained() throws {
        let data = try SyntheticDataset(normal: 3, perClass: 1)
        defer { data.remove() }
        let train = try DatasetFormats.load(data.root, format: "folder").train
        let misspelt = #expect(throws: OptionError.self) { try ModelFitting(detector: "padim", options: OptionOverrides(json: #"{"chanels": 2}"#)).fit(on: train) }
        #expect(misspelt?.description.contains("no option 'chanels'; its options: batchSize, channels") == true)
        let mistyped = #expect(throws: OptionError.self) { try ModelFitting(detector: "padim", options: OptionOverrides(json: #"{"channels": "many"}"#)).fit(on: train) }
        #expect(mistyped?.description.contains("wrong type") == true)
        #expect(throws: DetectorError.unknownDetector("nope", known: Detectors.names)) { try ModelFitting(detector: "nope").fit(on: train) }
    }

    /// Fits PaDiM on every second DeepPCB training template at 256 x 256 and evaluates, end to end
    /// through the library (what `xad fit` and `xad evaluate` run), on the pairs whose template is
    /// a normal test image: the other defective images have their own aligned template among the
    /// training images, so they look almost normal to a per-position model (on the full test set
    /// image AUROC is 0.30: normal test templates, unseen, score above defective images whose
    /// template was seen).
    @Test(.enabled(if: SharedData.shouldTest("deeppcb")))
    func padimOnDeepPCBEndToEnd() throws {
        let full = try DatasetFormats.load(SharedData.url("deeppcb"), format: "deeppcb")
        func pair(_ reference: SampleReference, _ suffix: String) -> String { String(reference.image.path.dropLast(suffix.count)) }
        let unseenPairs = Set(full.test.filter { !$0.label.isAnomalous }.map { pair($0, "_temp.jpg") })
        let dataset = Dataset(name: full.name, train: full.train.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                              test: full.test.filter { !$0.label.isAnomalous || unseenPairs.contains(pair($0, "_test.jpg")) })
        let fitted = try ModelFitting(detector: "padim").fit(on: dataset.train)
        let report = try Evaluator().evaluate(model: fitted.model, on: dataset)
        let overall = report.overall
        print("PaDiM on DeepPCB (\(fitted.trainingImages) templates, \(overall.images) test images, 256x256): fit \(fitted.seconds) s, "
              + "image AUROC \(overall.imageAUROC ?? .nan), pixel AUROC \(overall.pixelAUROC ?? .nan), AUPRO \(overall.aupro ?? .nan), "
              + "\(report.timing.imagesPerSecond) images/s; at the saved threshold TPR \(report.atThreshold?.truePositiveRate ?? .nan), "
              + "FPR \(report.atThreshold?.falsePositiveRate ?? .nan)")
        // Measured: image AUROC 0.495, pixel AUROC 0.795, AUPRO 0.441. The image score (the map's
        // maximum) is at chance here: per-position Gaussians over boards of different layouts.
        #expect(overall.anomalous == 59 && overall.images == 118)
        #expect(overall.imageAUROC != nil)
        #expect(try #require(overall.pixelAUROC) >= 0.78)
        #expect(try #require(overall.aupro) >= 0.42)
    }
}

/// Collects warnings from a `@Sendable` callback.
private final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    var lines: [String] { lock.withLock { collected } }
    func add(_ line: String) { lock.withLock { collected.append(line) } }
}
