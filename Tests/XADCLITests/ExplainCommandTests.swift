import Foundation
import Testing
import XADDetect
import XADExplain
import XADImage
import XADTensor
import XADTestSupport

/// `xad explain` and `xad explain-eval` run as a user runs them, on a PaDiM fitted by `xad fit`
/// on the synthetic data set (stage1 and stage2, 64 x 64).
@Suite("xad explain, explain-eval", .serialized)
struct ExplainCommandTests {
    static let fitted: Result<FitPredictEvaluateTests.Fitted, any Error> = Result {
        let data = try SyntheticDataset(normal: 8, perClass: 1)
        let model = data.url("model.xadm")
        let fit = try XADProcess.run(FitPredictEvaluateTests.fitArguments(data: data.root.path, out: model.path))
        return FitPredictEvaluateTests.Fitted(data: data, model: model, fit: fit)
    }

    /// Settings that keep every method to a few model evaluations.
    static let fastSettings = ["--steps", "4", "--smoothgrad-samples", "2", "--occlusion-window", "32", "--occlusion-stride", "32",
                               "--rise-masks", "16", "--shap-samples", "16"]

    @Test func oneMethodWritesTheMapAnOverlayAndASummary() throws {
        let fitted = try Self.fitted.get()
        #expect(fitted.fit.status == 0, "\(fitted.fit.stderr)")
        let out = FitPredictEvaluateTests.temporaryPath("explain")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try XADProcess.run(["explain", "--model", fitted.model.path, "--method", "saliency", "--target", "topk:50",
                                          fitted.data.url("abnormal/spot/spot_0.png").path, "--out", out])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.lines.count == 1)
        let folder = URL(fileURLWithPath: out).appendingPathComponent("spot_0")
        let map = try NPYFile.read(contentsOf: folder.appendingPathComponent("saliency.npy"))
        #expect(map.shape == [64, 64])
        let shown = try Image(contentsOf: folder.appendingPathComponent("saliency_overlay.png"))
        #expect(shown.width == 64 && shown.height == 64 && shown.channels == 3)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("saliency.json"))) as? [String: Any])
        #expect(summary["method"] as? String == "saliency")
        #expect(summary["target"] as? String == "topk:50")
        #expect(summary["image"] as? String == "spot_0")
        #expect(try #require(summary["target_value"] as? Double) > 0)
        #expect(try #require(summary["seconds"] as? Double) >= 0)
        #expect(summary["files"] as? [String] == ["saliency.json", "saliency.npy", "saliency_overlay.png"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("panel.png").path), "one method, no panel")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary files are left behind")
    }

    @Test func allMethodsWriteAPanelAndSkipWhatCannotApply() throws {
        let fitted = try Self.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("explain-all")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try XADProcess.run(["explain", "--model", fitted.model.path, "--method", "all", "--quiet",
                                          fitted.data.url("abnormal/scratch/scratch_0.png").path, "--out", out] + Self.fastSettings)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let methods = try outcome.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["method"] as? String
        }
        // Every registered method that says it can explain this model (with its recorded training
        // images as context) did: the list comes from the registry, not from this test.
        let saved = try SavedModel.load(URL(fileURLWithPath: fitted.model.path))
        let context = ExplanationContext(normalImages: saved.trainingImages)
        let applicable = Explainers.configured(Explainers.all, with: context)
            .filter { $0.unmetNeeds(of: saved.detector) == nil }.map { type(of: $0).name }
        #expect(applicable.count >= 10, "\(applicable)")
        for method in applicable {
            #expect(methods.contains(method), "\(method) in \(methods)")
        }
        // Whatever cannot explain this model (e.g. concepts without --concepts) is named in one warning line.
        for line in outcome.stderr.split(separator: "\n") { #expect(line.hasPrefix("warning: skipping "), "\(line)") }
        let panel = try Image(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("scratch_0/panel.png"))
        #expect(panel.width > 4 * 64 && panel.height > 2 * 64, "input and \(methods.count) overlays, four per row")
    }

    /// A command line that is wrong in one way, what the error must say, and the exit status.
    enum BadRun: String, CaseIterable {
        case unknownMethod, regionOutsideTheImage, unreadableTarget, unreadableImage, missingImage

        var expected: (status: Int32, message: String) {
            switch self {
            case .unknownMethod: (1, "unknown explanation method 'magic'")
            case .regionOutsideTheImage: (1, "outside the 64 x 64 image")
            case .unreadableTarget: (1, "is not a target")
            case .unreadableImage: (2, "broken.png")
            case .missingImage: (2, "absent.png: no such file")
            }
        }
    }

    @Test(arguments: BadRun.allCases)
    func badCommandLinesFailWithOneLineAndWriteNothing(_ bad: BadRun) throws {
        let fitted = try Self.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("explain-bad")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let broken = fitted.data.url("broken.png")
        try Data("not an image".utf8).write(to: broken)
        var method = "saliency", target = "image", image = fitted.data.url("abnormal/spot/spot_0.png").path
        switch bad {
        case .unknownMethod: method = "magic"
        case .regionOutsideTheImage: target = "region:40,40,80,60"
        case .unreadableTarget: target = "corner"
        case .unreadableImage: image = broken.path
        case .missingImage: image = fitted.data.url("absent.png").path
        }
        let good = fitted.data.url("abnormal/scratch/scratch_0.png").path
        let outcome = try XADProcess.run(["explain", "--model", fitted.model.path, "--method", method, "--target", target,
                                          good, image, "--out", out])
        #expect(outcome.status == bad.expected.status, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("xad: error: ") && outcome.stderr.contains(bad.expected.message), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written, not even for the good image")
    }

    @Test func explainEvalReportsTheRandomisationCheckPerMethod() throws {
        let fitted = try Self.fitted.get()
        let json = FitPredictEvaluateTests.temporaryPath("quality.json")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let outcome = try XADProcess.run(["explain-eval", "--model", fitted.model.path, "--data", fitted.data.root.path,
                                          "--format", "folder", "--methods", "saliency,grad-cam", "--limit", "2",
                                          "--randomisation-levels", "2", "--json", json])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let header = try #require(outcome.lines.first { $0.hasPrefix("method") })
        #expect(header.contains("randomisation"))
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]])
        #expect(reports.compactMap { $0["method"] as? String } == ["saliency", "grad-cam"])
        for report in reports {
            let means = try #require(report["means"] as? [String: Double])
            // Two levels: stage2, then stage2 and stage1 (with the stem); the column is the last.
            let top = try #require(means["randomisation_stage2"]), all = try #require(means["randomisation_stage2+stage1"])
            #expect(means["randomisation"] == all)
            #expect(top < 1 && all < 1, "\(report["method"] ?? ""): \(top), \(all)")
        }
        let off = try XADProcess.run(["explain-eval", "--model", fitted.model.path, "--data", fitted.data.root.path,
                                      "--format", "folder", "--methods", "saliency", "--limit", "1", "--randomisation-levels", "0"])
        #expect(off.status == 0, "\(off.stderr)")
        let row = try #require(off.lines.first { $0.hasPrefix("saliency") }).split(separator: " ")
        #expect(row[row.count - 2] == "-", "the randomisation column (before s/image) is empty when the check is off")
    }

    @Test func helpShowsAnExample() throws {
        let help = try XADProcess.run(["explain", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("xad explain --model") && help.stdout.contains("--target"))
    }
}
