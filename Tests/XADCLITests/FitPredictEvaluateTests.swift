import Foundation
import Testing
import XADDetect
import XADImage
import XADModels
import XADTensor
import XADTestSupport

/// `xad fit`, `xad predict` and `xad evaluate` run as a user runs them, on a small synthetic
/// data set (10 normal and 4 anomalous 64 x 64 images; PaDiM on two layers, 20 channels).
@Suite("xad fit, predict, evaluate", .serialized)
struct FitPredictEvaluateTests {
    /// The data set and a model fitted on it once for the suite, with `xad fit`'s outcome.
    struct Fitted: Sendable {
        let data: SyntheticDataset
        let model: URL
        let fit: XADProcess.Outcome
    }

    static let fitted: Result<Fitted, any Error> = Result {
        let data = try SyntheticDataset()
        let model = data.url("model.xadm")
        return Fitted(data: data, model: model, fit: try XADProcess.run(fitArguments(data: data.root.path, out: model.path)))
    }

    static func fitArguments(data: String, out: String) -> [String] {
        ["fit", "--detector", "padim", "--data", data, "--image-size", "64", "--layers", "stage1,stage2",
         "--options", #"{"channels": 20}"#, "--out", out]
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test func fitPrintsOneSummaryLineAndWritesTheModel() throws {
        let fitted = try Self.fitted.get()
        #expect(fitted.fit.status == 0, "\(fitted.fit.stderr)")
        #expect(fitted.fit.lines.count == 1)
        // 10 normal images: 2 held out as normal test images by the folder layout, 1 of the other 8 for the threshold.
        #expect(fitted.fit.stdout.hasPrefix("fitted padim (efficientnet-lite0 stage1,stage2; 64x64) on 7 images"))
        #expect(fitted.fit.stdout.contains("99th percentile of 1 held-out normal images"))
        #expect(fitted.fit.stderr.isEmpty, "no progress when stderr is not a terminal")
        #expect(FileManager.default.fileExists(atPath: fitted.model.path))
    }

    @Test func predictPrintsAJSONLinePerImageAndWritesMapsAtTheImageSize() throws {
        let fitted = try Self.fitted.get()
        let maps = Self.temporaryPath("maps")
        defer { try? FileManager.default.removeItem(atPath: maps) }
        let outcome = try XADProcess.run(["predict", "--model", fitted.model.path, fitted.data.url("abnormal/spot").path,
                                          fitted.data.url("normal/normal_04.png").path, "--maps", maps, "--color-map", "inferno"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.lines.count == 3)
        var scores: [String: Double] = [:]
        for line in outcome.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let file = try #require(object["file"] as? String)
            let score = try #require(object["score"] as? Double)
            let normalised = try #require(object["normalised_score"] as? Double)
            #expect((0...1).contains(normalised))
            #expect(["anomalous", "normal"].contains(object["label"] as? String))
            scores[URL(fileURLWithPath: file).lastPathComponent] = score
        }
        // A bright 12 x 12 square on the texture scores above a normal image of the same texture.
        let normal = try #require(scores["normal_04.png"])
        #expect(try #require(scores["spot_0.png"]) > normal)
        #expect(try #require(scores["spot_1.png"]) > normal)

        let map = try NPYFile.read(contentsOf: URL(fileURLWithPath: maps).appendingPathComponent("spot_0.npy"))
        #expect(map.shape == [64, 64])
        let overlay = try Image(contentsOf: URL(fileURLWithPath: maps).appendingPathComponent("spot_0_overlay.png"))
        #expect(overlay.width == 64 && overlay.height == 64 && overlay.channels == 3)
    }

    @Test func evaluatePrintsATableAndWritesJSON() throws {
        let fitted = try Self.fitted.get()
        let json = Self.temporaryPath("report.json")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let outcome = try XADProcess.run(["evaluate", "--model", fitted.model.path, "--data", fitted.data.root.path,
                                          "--format", "folder", "--json", json])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.lines.contains { $0.hasPrefix("class") && $0.contains("image AUROC") && $0.contains("AUPRO") })
        #expect(outcome.lines.contains { $0.hasPrefix("spot ") })
        #expect(outcome.lines.contains { $0.hasPrefix("scratch ") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let overall = try #require(report["overall"] as? [String: Any])
        #expect(overall["images"] as? Int == 6)
        #expect(overall["anomalous"] as? Int == 4)
        for key in ["image_auroc", "average_precision", "f1_max", "pixel_auroc", "aupro"] {
            let value = try #require(overall[key] as? Double, "\(key)")
            #expect((0...1).contains(value))
        }
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["name"] as? String } == ["scratch", "spot"])
    }

    @Test func undecodableTrainingImagesFailTheFitOrAreSkippedWithAWarning() throws {
        let data = try SyntheticDataset(normal: 6, perClass: 1)
        defer { data.remove() }
        try Data("not an image".utf8).write(to: data.url("normal/normal_99.png"))
        let model = data.url("model.xadm").path

        let failed = try XADProcess.run(Self.fitArguments(data: data.root.path, out: model))
        #expect(failed.status == 2)
        #expect(failed.stderr.hasPrefix("xad: error: ") && failed.stderr.contains("normal_99.png"))
        #expect(!FileManager.default.fileExists(atPath: model), "nothing is written when fitting fails")

        let skipped = try XADProcess.run(Self.fitArguments(data: data.root.path, out: model) + ["--on-bad-image", "skip"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("warning: skipping") && skipped.stderr.contains("normal_99.png"))
        #expect(skipped.stdout.contains("skipped 1 unreadable images"))
    }

    /// A data folder that is wrong in one way, and what the error must mention.
    enum BadFolder: String, CaseIterable {
        case missing, empty, noNormalImages, unpairedMask

        var expected: String {
            switch self {
            case .missing: "no such folder"
            case .empty: "not a dataset layout"
            case .noNormalImages: "no normal training images"
            case .unpairedMask: "has no mask"
            }
        }
    }

    @Test(arguments: BadFolder.allCases)
    func badDataFoldersExitWithADataError(_ bad: BadFolder) throws {
        let data = try SyntheticDataset(normal: 5, perClass: 1)
        defer { data.remove() }
        var root = data.root.path
        switch bad {
        case .missing: root = data.url("absent").path
        case .empty: root = data.url("masks/spot").path; try FileManager.default.removeItem(at: data.url("masks/spot/spot_0.png"))
        case .noNormalImages: try FileManager.default.removeItem(at: data.url("normal")); try FileManager.default.createDirectory(at: data.url("normal"), withIntermediateDirectories: false)
        case .unpairedMask: try FileManager.default.removeItem(at: data.url("masks/scratch/scratch_0.png"))
        }
        let model = Self.temporaryPath("model.xadm")
        let outcome = try XADProcess.run(Self.fitArguments(data: root, out: model))
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("xad: error: ") && outcome.stderr.contains(bad.expected), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    @Test func truncatedModelsOrModelsOfAnotherVersionOrBackboneAreRefused() throws {
        let fitted = try Self.fitted.get()
        let bytes = try Data(contentsOf: fitted.model)
        let image = fitted.data.url("normal/normal_04.png").path
        let damaged: [(String, Data, String)] = [
            ("truncated", bytes.prefix(bytes.count / 2), "not a readable XADKit model"),
            ("another version", try Self.replacing(#"\"format\":1"#, with: #"\"format\":9"#, in: bytes), "model format 9"),
        ]
        for (name, contents, expected) in damaged {
            let path = Self.temporaryPath("\(name).xadm")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try contents.write(to: URL(fileURLWithPath: path))
            let outcome = try XADProcess.run(["predict", "--model", path, image])
            #expect(outcome.status == 2, "\(name): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty, "\(name)")
            #expect(outcome.stderr.contains(path) && outcome.stderr.contains(expected), "\(name): \(outcome.stderr)")
        }
        // The model was fitted on EfficientNet-Lite0; Lite2's weights do not fit its backbone.
        let lite2 = try WeightLocator().locate(EfficientNetLiteVariant.lite2.checkpoint).path
        let otherBackbone = try XADProcess.run(["predict", "--model", fitted.model.path, image, "--weights", lite2])
        #expect(otherBackbone.status == 2, "\(otherBackbone.stderr)")
        #expect(otherBackbone.stdout.isEmpty)
        #expect(otherBackbone.stderr.hasPrefix("xad: error: ") && otherBackbone.stderr.contains(lite2), "\(otherBackbone.stderr)")
    }

    @Test func usageErrorsExitWithStatusOne() throws {
        let unknown = try XADProcess.run(["fit", "--detector", "nope", "--data", "/tmp", "--out", Self.temporaryPath("m.xadm")])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown detector 'nope'"))
        let missing = try XADProcess.run(["fit", "--detector", "padim", "--data", "/tmp"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("xad: error: ") && missing.stderr.contains("--out"))
        let help = try XADProcess.run(["fit", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--threshold-percentile"))
    }

    @Test func setReplacesOneOptionAndBadOptionsNameTheKey() throws {
        let data = try SyntheticDataset(normal: 6, perClass: 1)
        defer { data.remove() }
        let model = Self.temporaryPath("set.xadm"), json = Self.temporaryPath("set.json")
        defer { for path in [model, json] { try? FileManager.default.removeItem(atPath: path) } }
        let base = ["fit", "--detector", "padim", "--data", data.root.path, "--image-size", "64", "--layers", "stage1", "--quiet"]
        // --set overrides --options for the same key.
        let fit = try XADProcess.run(base + ["--options", #"{"channels": 20, "seed": 3}"#, "--set", "channels=12", "--out", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        let saved = try SavedModel.load(URL(fileURLWithPath: model))
        #expect((saved.detector.options as? PaDiM.Options).map { [$0.channels, Int($0.seed)] } == [12, 3])

        let misspelt = try XADProcess.run(base + ["--set", "chanels=2", "--out", model])
        #expect(misspelt.status == 1 && misspelt.stderr.contains("padim has no option 'chanels'"), "\(misspelt.stderr)")
        let wrongType = try XADProcess.run(base + ["--set", "channels=many", "--out", model])
        #expect(wrongType.status == 1 && wrongType.stderr.contains("'channels'"), "\(wrongType.stderr)")
        let badValue = try XADProcess.run(base + ["--set", "channels=0", "--out", model])
        #expect(badValue.status == 1 && badValue.stderr.contains("channels must be at least 1"), "\(badValue.stderr)")
        let noEquals = try XADProcess.run(base + ["--set", "channels", "--out", model])
        #expect(noEquals.status == 1 && noEquals.stderr.contains("key=value"), "\(noEquals.stderr)")
    }

    @Test func trainableDetectorsCheckpointAndResumeFromTheCommandLine() throws {
        let data = try SyntheticDataset(normal: 6, perClass: 1)
        defer { data.remove() }
        let model = Self.temporaryPath("ae.xadm"), checkpoints = Self.temporaryPath("checkpoints")
        defer { for path in [model, checkpoints] { try? FileManager.default.removeItem(atPath: path) } }
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        let base = ["fit", "--detector", "autoencoder", "--data", data.root.path, "--image-size", "32", "--quiet", "--out", model]
        let first = try XADProcess.run(base + ["--set", "epochs=2", "--checkpoints", checkpoints, "--seed", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: checkpoints).isEmpty, "a checkpoint is written")
        #expect(try SavedModel.load(URL(fileURLWithPath: model)).training?.epochs == 2)
        let resumed = try XADProcess.run(base + ["--set", "epochs=3", "--checkpoints", checkpoints, "--seed", "3", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try SavedModel.load(URL(fileURLWithPath: model)).training?.epochs == 3)
        let noFolder = try XADProcess.run(base + ["--resume"])
        #expect(noFolder.status == 1 && noFolder.stderr.contains("--resume needs --checkpoints"), "\(noFolder.stderr)")
        let badBudget = try XADProcess.run(base + ["--max-minutes", "0"])
        #expect(badBudget.status == 1 && badBudget.stderr.contains("--max-minutes"), "\(badBudget.stderr)")
    }

    @Test func fitHelpListsEveryRegisteredDetectorWithItsOptions() throws {
        let help = try XADProcess.run(["fit", "--help"])
        for detector in Detectors.builtIn {  // the built xad knows the built-in ones; tests register others in this process only
            #expect(help.stdout.contains("\(detector.name)"), "\(detector.name)")
            for option in detector.methodDescription.options {
                #expect(help.stdout.contains("\(option.key) = \(option.defaultValue)"), "\(detector.name).\(option.key)")
            }
        }
    }

    /// `bytes` with the first occurrence of `old` replaced by `new` (of the same length).
    static func replacing(_ old: String, with new: String, in bytes: Data) throws -> Data {
        let range = try #require(bytes.range(of: Data(old.utf8)), "\(old) is not in the model file")
        var copy = bytes
        copy.replaceSubrange(range, with: Data(new.utf8))
        return copy
    }
}
