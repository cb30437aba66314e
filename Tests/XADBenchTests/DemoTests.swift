import Foundation
import Testing
@testable import XADBench
import XADDetect

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

    @Test func theTableHasOneRightAlignedRowPerDetector() {
        let row = DemoResult.DetectorSummary(detector: "patchcore", model: "demo-output/patchcore.xadm", imageAUROC: 0.72222,
                                             pixelAUROC: 0.88951, aupro: nil, fitSeconds: 15.94, trainingImages: 33,
                                             testImages: 24, imagesPerSecond: 5.06)
        let result = DemoResult(dataset: "DeepPCB", imageSize: 512, report: "demo-output/report.html", detectors: [row],
                                explainers: ["grad-cam"], explainedImages: 3, seconds: 60)
        #expect(result.table == """
            detector   image AUROC  pixel AUROC  AUPRO  fit s  scoring img/s
            patchcore       0.7222       0.8895      -   15.9            5.1
            """)
    }

    @Test func textTablesPadShortRows() {
        let table = TextTable(header: ["name", "value"], rows: [["a", "1.5"], ["longer"]])
        #expect(table.lines == ["name    value", "a         1.5", "longer       "])
    }
}
