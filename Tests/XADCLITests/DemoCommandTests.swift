import Foundation
import Testing
import XADTestSupport

/// `xad demo` end to end on a small synthetic data set (10 normal and 4 anomalous 64 x 64 images):
/// both detectors fitted and measured, the reports and the first model written, the table printed.
@Suite("xad demo", .serialized)
struct DemoCommandTests {
    static func arguments(data: String, out: String) -> [String] {
        ["demo", "--data", data, "--format", "folder", "--out", out, "--image-size", "64", "--explain", "1"]
    }

    @Test func writesTheReportAndModelsAndPrintsOneRowPerDetector() throws {
        let data = try SyntheticDataset()
        defer { data.remove() }
        let out = data.url("demo-output").path
        let outcome = try XADProcess.run(Self.arguments(data: data.root.path, out: out) + ["--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
        #expect(outcome.lines.first == "report: \(out)/report.html")
        #expect(outcome.lines.dropFirst().first?.hasPrefix("protocol: held-out") == true)
        #expect(outcome.lines.dropFirst(2).first?.hasPrefix("detector") == true)
        let rows = outcome.lines.dropFirst(3).map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map { $0.first } == ["patchcore", "padim"])
        for row in rows {
            // image AUROC, pixel AUROC, AUPRO in 0...1; a bright square on the texture is easy to find.
            let values = row.dropFirst().prefix(3).compactMap(Double.init)
            #expect(values.count == 3 && values.allSatisfy { (0...1).contains($0) }, "\(row)")
            #expect((values.first ?? 0) > 0.9, "\(row)")
        }
        for file in ["report.html", "padim/report.html", "patchcore.xadm"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let page = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        #expect(page.contains("compared with padim"))

        // A second run replaces the first report; --json - prints the summary instead of the table.
        let again = try XADProcess.run(Self.arguments(data: data.root.path, out: out) + ["--detectors", "patchcore", "--json", "-"])
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(summary["report"] as? String == "\(out)/report.html")
        let detectors = try #require(summary["detectors"] as? [[String: Any]])
        #expect(detectors.compactMap { $0["detector"] as? String } == ["patchcore"])
        #expect(detectors.first?["image_auroc"] is Double)
        #expect(!FileManager.default.fileExists(atPath: "\(out)/padim"), "the earlier report's folder was replaced")
    }

    @Test func refusesAFolderThatIsNotAReportAndUnknownDetectors() throws {
        let data = try SyntheticDataset(normal: 5, perClass: 1)
        defer { data.remove() }
        let taken = data.url("normal").path
        let refused = try XADProcess.run(Self.arguments(data: data.root.path, out: taken))
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("xad: error: ") && refused.stderr.contains("not an XADKit report folder"), "\(refused.stderr)")

        let unknown = try XADProcess.run(Self.arguments(data: data.root.path, out: data.url("out").path) + ["--detectors", "patchcore,nope"])
        #expect(unknown.status == 1, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("unknown detector 'nope'"), "\(unknown.stderr)")
    }
}
