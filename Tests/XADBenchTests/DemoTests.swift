import Foundation
import Testing
@testable import XADBench
import XADData
@testable import XADDetect
import XADImage
import XADMetrics
import XADTensor
import XADTestSupport

/// The demo's settings checks (which run before any fitting) and its summary table.
@Suite("Demo")
struct DemoTests {
    static let output = FileManager.default.temporaryDirectory.appendingPathComponent("xad-demo-\(UUID().uuidString)")

    @Test func settingsThatCannotWorkAreRefusedBeforeFitting() throws {
        let data = URL(fileURLWithPath: "/no/such/data")
        let cases: [(DemoRun, String)] = [
            (DemoRun(data: data, output: Self.output, detectors: [DemoRun.Detector("nope")]), "unknown detector 'nope'; known: \(Detectors.names.joined(separator: ", "))"),
            (DemoRun(data: data, output: Self.output, detectors: [DemoRun.Detector("padim"), DemoRun.Detector("padim")]),
             "each detector can be given once"),
            (DemoRun(data: data, output: Self.output, imageSize: 16), "the image size must be in 32...4096, got 16"),
            (DemoRun(data: data, output: Self.output, detectors: []), "give at least one detector"),
        ]
        for (demo, message) in cases {
            // The data folder does not exist: a setting error must come first.
            #expect(throws: DemoError(message)) { try demo.run() }
        }
    }

    @Test func aFolderHoldingSomethingElseIsRefusedBeforeFitting() throws {
        let folder = Self.output.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: Self.output) }
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let demo = DemoRun(data: URL(fileURLWithPath: "/no/such/data"), output: folder)
        #expect(throws: ReportError.notAReportFolder(folder.path)) { try demo.run() }
    }

    @Test func theTableNamesTheProtocolAndHasOneRightAlignedRowPerDetector() {
        let row = DemoResult.DetectorSummary(detector: "patchcore", model: "demo-output/patchcore.xadm", imageAUROC: 0.72222,
                                             pixelAUROC: 0.88951, aupro: nil, fitSeconds: 15.94, trainingImages: 33,
                                             testImages: 24, imagesPerSecond: 5.06,
                                             normalFlagged: DemoResult.Count(9, of: 12), anomalousFlagged: nil)
        let result = DemoResult(dataset: "DeepPCB", imageSize: 512, evaluationProtocol: .heldOut, report: "demo-output/report.html",
                                detectors: [row], explainers: ["grad-cam"], explainedImages: 3, seconds: 60)
        #expect(result.table == """
            protocol: \(DemoProtocol.heldOut.summary)
            detector   image AUROC  pixel AUROC  AUPRO  normal flagged  anomalous flagged  fit s  scoring img/s
            patchcore       0.7222       0.8895      -            9/12                  -   15.9            5.1
            """)
    }

    /// Three training images, and test images: two normal templates and two defective boards.
    static func pcbLike(name: String = "DeepPCB") -> Dataset {
        func sample(_ file: String, _ label: Label) -> SampleReference {
            SampleReference(image: URL(fileURLWithPath: "/pcb/\(file).jpg"), label: label, category: label == .normal ? "good" : "defect")
        }
        return Dataset(name: name, train: ["t1", "t2", "t3"].map { sample($0, .normal) },
                       test: [sample("a_temp", .normal), sample("a_test", .anomalous), sample("b_temp", .normal), sample("b_test", .anomalous)])
    }

    @Test func goldenBoardAddsTheTestTemplatesAfterTheTrainingImages() throws {
        let dataset = Self.pcbLike()
        let golden = try DemoProtocol.goldenBoard.split(dataset)
        #expect(golden.training.map(\.image.lastPathComponent) == ["t1.jpg", "t2.jpg", "t3.jpg", "a_temp.jpg", "b_temp.jpg"])
        #expect(golden.calibrationImages == 3)
        #expect(try DemoProtocol.heldOut.split(dataset) == DemoProtocol.Split(training: dataset.train, calibrationImages: nil))
        #expect(DemoProtocol.standard(for: dataset) == .goldenBoard)
        #expect(DemoProtocol.standard(for: Self.pcbLike(name: "MTD")) == .heldOut)
        let noTemplates = Dataset(name: "DeepPCB", train: dataset.train, test: dataset.test.filter { $0.label == .anomalous })
        #expect(throws: DemoError.self) { try DemoProtocol.goldenBoard.split(noTemplates) }
    }

    @Test func goldenBoardSetsTheThresholdOnTheTrainingImagesOnly() throws {
        let model = try ReportFixture.shared.get().model
        // Calibration scores in fitting order: three training images, then two test templates.
        let fitted = FittedModel(model: model, trainingImages: 5, calibrationImages: 5, calibratedOnTrainingImages: true,
                                 calibrationScores: [1, 2, 4, 50, 60], skipped: [], seconds: 1)
        let split = try DemoProtocol.goldenBoard.split(Self.pcbLike())
        let calibrated = try DemoProtocol.goldenBoard.calibrated(fitted, split: split, percentile: 99)
        // numpy.percentile([1, 2, 4], 99) = 2 + 0.98 * (4 - 2) = 3.96 (linear interpolation); tolerance 1e-5.
        let threshold: Float = try #require(calibrated.model.threshold)
        #expect(abs(Double(threshold) - 3.96) < 1e-5)
        #expect(calibrated.calibrationImages == 3)
        // 0.5 at the threshold, 0 at the lowest training score.
        let normaliser: MinMaxNormaliser = try #require(calibrated.model.normalisation)
        let atThreshold: Double = normaliser(3.96), atLowest: Double = normaliser(1)
        #expect(abs(atThreshold - 0.5) < 1e-5 && abs(atLowest) < 1e-5)
        let heldOutSplit = try DemoProtocol.heldOut.split(Self.pcbLike())
        let heldOut = try DemoProtocol.heldOut.calibrated(fitted, split: heldOutSplit, percentile: 99)
        #expect(heldOut.model.threshold == model.threshold)
    }

    /// Golden-board scores only the training images for the threshold, not the test templates.
    @Test func goldenBoardFittingScoresOnlyTheCalibrationImages() throws {
        let split = try DemoProtocol.goldenBoard.split(Self.pcbLike())
        let fitting = DemoProtocol.goldenBoard.fitting(ModelFitting(detector: "padim"), split: split)
        #expect(fitting.holdoutFraction == 0 && fitting.calibrationLimit == 3)
        #expect(DemoProtocol.heldOut.fitting(ModelFitting(detector: "padim"), split: split).calibrationLimit == nil)

        let data = try SyntheticDataset(normal: 7, perClass: 1)
        defer { data.remove() }
        let train = try DatasetFormats.load(data.root, format: "folder").train
        var limited = ModelFitting(detector: "padim", layers: ["stage1"], preprocessing: Preprocessing(imageSize: Size2(32)),
                                   options: try OptionOverrides(json: #"{"channels": 8}"#), holdoutFraction: 0)
        limited.calibrationLimit = 2
        let fitted = try limited.fit(on: train)
        #expect(fitted.trainingImages == train.count && fitted.calibrationImages == 2 && fitted.calibratedOnTrainingImages)
        // The two scores are the first two training images' own (batch of 2 vs 1: tolerance 1e-4 relative).
        let detector = fitted.model.detector
        let rescored = try train.prefix(2).map { try detector.score(batch: try detector.setup.preprocessing(try $0.load().image))[0].score }
        #expect(fitted.calibrationScores.count == 2)
        for (a, b) in zip(rescored, fitted.calibrationScores) { #expect(abs(a - b) <= 1e-4 * abs(a)) }
    }

    @Test func textTablesPadShortRows() {
        let table = TextTable(header: ["name", "value"], rows: [["a", "1.5"], ["longer"]])
        #expect(table.lines == ["name    value", "a         1.5", "longer       "])
    }
}
