import Foundation
import Testing
@testable import xad
import XADContracts
import XADDetect
import XADTensor
import XADTestSupport

/// The commands on a video data set (the synthetic clips of ``SyntheticClipDataset``, `--format ucsd`),
/// run in this process so that the throwaway ``FrameDifference`` video detector registered here
/// is known; the mismatch of an image model and video data runs the built `xad` as users do.
@Suite("xad on video", .serialized)
struct VideoCommandTests {
    struct Fitted: Sendable {
        let clips: SyntheticClipDataset
        let model: String
        let summary: Summary
    }

    /// What `xad fit --json` says of the fitting.
    struct Summary: Decodable, Sendable {
        let trainingImages: Int, calibrationImages: Int
        let threshold: Double?
    }

    static let fitted: Result<Fitted, any Error> = Result {
        Detectors.register(FrameDifference.self)
        let clips = try SyntheticClipDataset()
        let model = FitPredictEvaluateTests.temporaryPath("video.xadm"), json = FitPredictEvaluateTests.temporaryPath("fit.json")
        try run(FitCommand.self, ["--detector", FrameDifference.name, "--data", clips.root.path, "--format", "ucsd", "--out", model, "--json", json])
        defer { try? FileManager.default.removeItem(atPath: json) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return Fitted(clips: clips, model: model, summary: try decoder.decode(Summary.self, from: Data(contentsOf: URL(fileURLWithPath: json))))
    }

    /// Parses and runs one command in this process.
    static func run<Command: ParsableCommandRunnable>(_ command: Command.Type, _ arguments: [String]) throws {
        var parsed = try Command.parse(arguments)
        try parsed.run()
    }

    /// The exit status `xad` gives the error `arguments` end with (0 when they succeed).
    static func status<Command: ParsableCommandRunnable>(_ command: Command.Type, _ arguments: [String]) -> XADTensor.ExitStatus? {
        do { try run(command, arguments); return nil } catch { return XADTensor.ExitStatus.of(error) }
    }

    static func readJSON<Value>(_ path: String) throws -> Value {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? Value)
    }

    @Test func fitHoldsOutAClipForTheThreshold() throws {
        let fitted = try Self.fitted.get()
        // Three training clips of 16 frames: the last is held out, its frames give the threshold.
        #expect(fitted.summary.trainingImages == 32)
        #expect(fitted.summary.calibrationImages == 16)
        #expect(fitted.summary.threshold != nil)
        #expect(FileManager.default.fileExists(atPath: fitted.model))
    }

    @Test func evaluateWritesMicroAndMacroFrameAUROC() throws {
        let fitted = try Self.fitted.get()
        let json = FitPredictEvaluateTests.temporaryPath("evaluate.json"), report = FitPredictEvaluateTests.temporaryPath("report")
        defer { for path in [json, report] { try? FileManager.default.removeItem(atPath: path) } }
        try Self.run(EvaluateCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--format", "ucsd",
                                            "--json", json, "--report", report, "--explained", "2", "--quiet"])
        let result: [String: Any] = try Self.readJSON(json)
        #expect((result["frame_auroc_micro"] as? Double ?? 0) > 0.9)
        #expect(result["frame_auroc_macro"] as? Double != nil && result["macro_clip_count"] as? Int == 2)
        #expect(result["frames"] as? Int == 48 && result["anomalous_frames"] as? Int == 11)
        #expect(FileManager.default.fileExists(atPath: report + "/report.html"))
        // --clips keeps the named test clips only; an unknown one is a usage error.
        try Self.run(EvaluateCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clips", "01", "--json", json])
        let one: [String: Any] = try Self.readJSON(json)
        #expect(one["frames"] as? Int == 16 && (one["clips"] as? [Any])?.count == 1)
        #expect(Self.status(EvaluateCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clips", "09"]) == .usage)
    }

    @Test func predictGivesEveryFrameAsJSONAndCSV() throws {
        let fitted = try Self.fitted.get()
        let json = FitPredictEvaluateTests.temporaryPath("predict.json"), csv = FitPredictEvaluateTests.temporaryPath("predict.csv")
        defer { for path in [json, csv] { try? FileManager.default.removeItem(atPath: path) } }
        try Self.run(PredictCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clips", "01,02",
                                           "--json", json, "--csv", csv])
        let frames: [[String: Any]] = try Self.readJSON(json)
        #expect(frames.count == 32)
        #expect(frames.map { $0["clip"] as? String } == Array(repeating: "01", count: 16) + Array(repeating: "02", count: 16))
        #expect(frames[6]["truth"] as? String == "anomalous" && frames[0]["truth"] as? String == "normal")
        let threshold = try #require(fitted.summary.threshold)
        for frame in frames {
            let score = try #require(frame["score"] as? Double)
            #expect(frame["raw_score"] as? Double != nil)
            #expect(frame["label"] as? String == (score >= threshold ? "anomalous" : "normal"))
        }
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 33 && lines[0] == "clip,frame,file,score,raw_score,normalised_score,label,truth")
        #expect(lines[7].hasPrefix("01,6,") && lines[7].hasSuffix(",anomalous"))
    }

    @Test func explainWritesTheEvidenceOfAFrameRange() throws {
        let fitted = try Self.fitted.get()
        let out = FitPredictEvaluateTests.temporaryPath("why")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.run(ExplainCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clip", "01",
                                           "--frames", "6-8", "--out", out])
        for frame in ["006", "007", "008"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/01/\(frame).png"))
            #expect(FileManager.default.fileExists(atPath: "\(out)/01/\(frame)_map.npy"))
            let evidence: [String: Any] = try Self.readJSON("\(out)/01/\(frame).json")
            let objects = try #require(evidence["objects"] as? [[String: Any]])
            #expect(!objects.isEmpty, "the fast square is a moving object")
            let attribute = try #require((objects.first?["attributes"] as? [[String: Any]])?.first)
            #expect(attribute["name"] as? String == "motion" && attribute["normal_range"] != nil)
            #expect((objects.first?["nearest_normal"] as? [String: Any])?["clip"] as? String != nil)
        }
        #expect(Self.status(ExplainCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clip", "01",
                                                  "--frames", "10-99", "--out", out]) == .usage)
        #expect(Self.status(ExplainCommand.self, ["--model", fitted.model, "--data", fitted.clips.root.path, "--clip", "01",
                                                  "--frames", "1-2", "--method", "grad-cam", "--out", out]) == .usage)
    }

    @Test func aVideoModelOnImagesAndAnImageDetectorOnVideoAreUsageErrors() throws {
        let fitted = try Self.fitted.get()
        let images = try SyntheticDataset()
        defer { images.remove() }
        #expect(Self.status(EvaluateCommand.self, ["--model", fitted.model, "--data", images.root.path]) == .usage)
        #expect(Self.status(FitCommand.self, ["--detector", FrameDifference.name, "--data", images.root.path,
                                              "--out", FitPredictEvaluateTests.temporaryPath("x.xadm")]) == .usage)
        #expect(Self.status(PredictCommand.self, ["--model", fitted.model, "--data", images.root.path]) == .usage)
        // An image detector on a video data set, and a model fitted on images evaluated on it: the built xad, exit 1.
        let fit = try XADProcess.run(["fit", "--detector", "padim", "--data", fitted.clips.root.path, "--format", "ucsd",
                                      "--out", FitPredictEvaluateTests.temporaryPath("y.xadm")])
        #expect(fit.status == 1 && fit.stderr.contains("padim scores single images"), "\(fit.stderr)")
        let imageModel = try FitPredictEvaluateTests.fitted.get().model
        let evaluate = try XADProcess.run(["evaluate", "--model", imageModel.path, "--data", fitted.clips.root.path, "--format", "ucsd"])
        #expect(evaluate.status == 1 && evaluate.stderr.contains("video data set"), "\(evaluate.stderr)")
    }
}

/// The commands these tests run in process.
protocol ParsableCommandRunnable {
    static func parse(_ arguments: [String]?) throws -> Self
    mutating func run() throws
}

extension FitCommand: ParsableCommandRunnable {}
extension EvaluateCommand: ParsableCommandRunnable {}
extension PredictCommand: ParsableCommandRunnable {}
extension ExplainCommand: ParsableCommandRunnable {}
