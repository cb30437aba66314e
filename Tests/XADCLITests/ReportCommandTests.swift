import Foundation
import Testing
import XADTestSupport

/// `xad report` and `xad evaluate --report` run as a user runs them, on the synthetic data set
/// and model of ``FitPredictEvaluateTests``.
@Suite("xad report", .serialized)
struct ReportCommandTests {
    @Test func reportWritesThePageAndPrintsTheTableAndItsPath() throws {
        let fitted = try FitPredictEvaluateTests.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("report")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try XADProcess.run(["report", "--model", fitted.model.path, "--data", fitted.data.root.path, "--format", "folder",
                                          "--out", out, "--explained", "1", "--explainers", "grad-cam"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let page = URL(fileURLWithPath: out).appendingPathComponent("report.html")
        #expect(outcome.lines.last == "report: \(page.path)")
        #expect(outcome.stdout.contains("image AUROC"))
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<section id=\"gallery\">"))
        #expect(html.contains("-grad-cam.jpg"))
    }

    @Test func evaluateWritesTheSameReportBesideItsTable() throws {
        let fitted = try FitPredictEvaluateTests.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("evaluate-report")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try XADProcess.run(["evaluate", "--model", fitted.model.path, "--data", fitted.data.root.path, "--format", "folder",
                                          "--report", out, "--explained", "0"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("image AUROC"))
        #expect(outcome.stderr.contains("report: "))
        let images = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: out).appendingPathComponent("images").path)
        #expect(images.count == 4 * 6)   // 6 test images (2 normal, 4 anomalous), four pictures each
    }

    @Test func jsonOnStandardOutputNamesThePageAndQuietKeepsStandardErrorEmpty() throws {
        let fitted = try FitPredictEvaluateTests.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("json-report")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try XADProcess.run(["report", "--model", fitted.model.path, "--data", fitted.data.root.path, "--format", "folder",
                                          "--out", out, "--explained", "0", "--json", "-", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(result["page"] as? String == URL(fileURLWithPath: out).appendingPathComponent("report.html").path)
        let evaluation = try #require(result["evaluation"] as? [String: Any])
        #expect((evaluation["overall"] as? [String: Any])?["images"] as? Int == 6)
    }

    @Test func aFolderThatIsNotAReportIsADataErrorAndKept() throws {
        let fitted = try FitPredictEvaluateTests.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("not-a-report")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("notes.txt"))
        let outcome = try XADProcess.run(["report", "--model", fitted.model.path, "--data", fitted.data.root.path, "--out", out])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("is not an XADKit report folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["notes.txt"])
    }
}
