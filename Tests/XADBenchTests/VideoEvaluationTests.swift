import Foundation
import Testing
import XADContracts
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADTensor
import XADTestSupport
@testable import XADBench

/// Synthetic clips (``SyntheticClipDataset``), the throwaway ``FrameDifference`` video detector fitted
/// on them through ``ModelFitting``, and its evaluation: shared by the video evaluation and report tests.
struct VideoFixture: Sendable {
    let clips: SyntheticClipDataset
    let dataset: VideoDataset
    let model: SavedModel
    let evaluation: VideoEvaluation

    static let shared: Result<VideoFixture, any Error> = Result {
        Detectors.register(FrameDifference.self)
        let clips = try SyntheticClipDataset()
        let dataset = try UCSDPed().loadVideo(clips.root)
        let model = try ModelFitting(detector: FrameDifference.name).fit(clips: dataset.train).model
        return VideoFixture(clips: clips, dataset: dataset, model: model, evaluation: try VideoEvaluator().evaluation(of: model, on: dataset))
    }

    /// The AUROC by counting pairs (an anomalous frame above a normal one counts 1, a tie 1/2):
    /// the definition, independent of the sorted sweep XADMetrics uses.
    static func pairCountAUROC(scores: [Float], labels: [Bool]) -> Double {
        let positives = zip(scores, labels).filter(\.1).map(\.0), negatives = zip(scores, labels).filter { !$0.1 }.map(\.0)
        var wins = 0.0
        for p in positives { for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) } }
        return wins / Double(positives.count * negatives.count)
    }
}

@Suite("Video evaluation")
struct VideoEvaluationTests {
    /// The clips of Tests/Fixtures/video/evaluation_reference.json (Tools/reference/gen_video_evaluation.py).
    struct Reference: Decodable {
        struct Clip: Decodable { let name: String, scores: [Float], labels: [Bool] }
        let clips: [Clip]
        let micro: Double, macro: Double, macroCount: Int, perClip: [Double?], eer: Double
    }

    @Test func frameMetricsMatchScikitLearn() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let reference = try decoder.decode(Reference.self, from: Data(contentsOf: Fixture.directory.appendingPathComponent("video/evaluation_reference.json")))
        let clips = reference.clips.map { clip in
            let labels: [Label] = clip.labels.map { $0 ? .anomalous : .normal }
            let video = VideoClip(name: clip.name, storage: .frameFiles(clip.scores.indices.map { URL(fileURLWithPath: "/none/\(clip.name)/\($0).png") }),
                                  labels: labels, masks: Array(repeating: nil, count: labels.count), frameSize: Size2(height: 1, width: 1))
            return ScoredClip(clip: video, frames: zip(clip.scores, labels).map {
                ScoredFrame(score: $0, rawScore: $0, label: $1, objects: [], map: nil, mask: nil)
            })
        }
        let report = try VideoEvaluator().measure(clips, dataset: "fixture", detector: "scripted", threshold: 1.0)
        // roc_auc_score and the pooled ROC's interpolated EER (brentq), to float rounding.
        let micro = try #require(report.frameAUROCMicro), macro = try #require(report.frameAUROCMacro)
        let eer = try #require(report.equalErrorRate)
        #expect(abs(micro - reference.micro) < 1e-9)
        #expect(abs(macro - reference.macro) < 1e-9)
        #expect(report.macroClipCount == reference.macroCount)
        #expect(abs(eer - reference.eer) < 1e-9)
        for (clip, expected) in zip(report.clips, reference.perClip) {
            if let expected {
                let measured = try #require(clip.frameAUROC)
                #expect(abs(measured - expected) < 1e-9, "clip \(clip.name)")
            } else {
                #expect(clip.frameAUROC == nil, "clip \(clip.name) has one class")
            }
        }
        #expect(report.pixelAUROC == nil)
        #expect(report.undefined["pixel_auroc"] == "no test clip has pixel masks")
        #expect(report.rbdc == nil && report.undefined["tbdc"] != nil)
        let frames = reference.clips.flatMap { zip($0.scores, $0.labels) }
        let check = try #require(report.atThreshold)
        #expect(check.truePositiveRate == Double(frames.count { $0.1 && $0.0 >= 1 }) / Double(frames.count { $0.1 }))
        #expect(check.falsePositiveRate == Double(frames.count { !$0.1 && $0.0 >= 1 }) / Double(frames.count { !$0.1 }))
    }

    @Test func syntheticClipsEvaluateWithTracksFromTheMasks() throws {
        let fixture = try VideoFixture.shared.get()
        let evaluation = fixture.evaluation, report = evaluation.report
        // Three test clips of 16 frames; the square moves fast in frames 6..<12 of 01 and 0..<5 of 02.
        #expect(report.frames == 48 && report.anomalousFrames == 11)
        #expect(report.clips.map(\.name) == ["01", "02", "03"] && report.macroClipCount == 2)
        let scores = evaluation.clips.flatMap { $0.frames.map(\.score) }, labels = evaluation.clips.flatMap { $0.frames.map(\.isAnomalous) }
        let micro = try #require(report.frameAUROCMicro)
        let pairCount = VideoFixture.pairCountAUROC(scores: scores, labels: labels)
        #expect(abs(micro - pairCount) < 1e-12)
        #expect(micro > 0.9, "the fast square stands out: \(micro)")
        // One ground-truth track per anomalous clip, a region per anomalous frame, each the 6 x 6 square.
        let tracks = VideoEvaluator().groundTruthTracks(evaluation.clips)
        #expect(tracks.map(\.count) == [6, 5])
        #expect(tracks.flatMap { $0 }.allSatisfy { $0.box.area == 36 })
        #expect(tracks[1].map(\.frame) == Array(16..<21), "frames are numbered through the clips")
        let pixelAUROC = try #require(report.pixelAUROC), rbdc = try #require(report.rbdc), tbdc = try #require(report.tbdc)
        #expect(pixelAUROC > 0.9)
        #expect(rbdc > 0.3 && tbdc > 0.5)
        #expect(evaluation.clips[0].anomalousIntervals == [6..<12] && evaluation.clips[2].anomalousIntervals.isEmpty)
    }

    @Test func theJSONNamesMicroAndMacroApart() throws {
        let report = try VideoFixture.shared.get().evaluation.report
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(object["frame_auroc_micro"] as? Double == report.frameAUROCMicro)
        #expect(object["frame_auroc_macro"] as? Double == report.frameAUROCMacro)
        for key in ["equal_error_rate", "pixel_auroc", "rbdc", "tbdc", "macro_clip_count", "clips"] { #expect(object[key] != nil, "\(key)") }
    }

    /// Frame-difference on real UCSD Ped2: two training clips, test clips 01 and 02.
    @Test(.enabled(if: SharedData.shouldTest("ucsd_ped2"))) func realPed2ClipsEvaluate() throws {
        Detectors.register(FrameDifference.self)
        var ped2 = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        ped2.train = Array(ped2.train.prefix(2))
        ped2.test = ped2.test.filter { ["01", "02"].contains($0.name) }
        let model = try ModelFitting(detector: FrameDifference.name).fit(clips: ped2.train).model
        let evaluation = try VideoEvaluator().evaluation(of: model, on: ped2)
        let report = evaluation.report
        // UCSDped2.m: clip 1 anomalous from frame 61, clip 2 from 95, both to 180 (1-based).
        #expect(report.frames == 360 && report.anomalousFrames == 120 + 86)
        let scores = evaluation.clips.flatMap { $0.frames.map(\.score) }, labels = evaluation.clips.flatMap { $0.frames.map(\.isAnomalous) }
        let micro = try #require(report.frameAUROCMicro)
        let pairCount = VideoFixture.pairCountAUROC(scores: scores, labels: labels)
        #expect(abs(micro - pairCount) < 1e-12)
        #expect(report.macroClipCount == 2 && report.pixelFrames == 360)
        #expect(report.pixelAUROC != nil && report.rbdc != nil && report.tbdc != nil, "\(report.undefined)")
        print("Ped2 01-02 frame-difference: micro \(report.frameAUROCMicro ?? .nan) macro \(report.frameAUROCMacro ?? .nan) "
              + "pixel \(report.pixelAUROC ?? .nan) RBDC \(report.rbdc ?? .nan) TBDC \(report.tbdc ?? .nan)")
        // The report on real frames: 360 x 240 alarms with nearest normal crops, a 180-frame annotated clip.
        let folder = ReportFixture.temporaryFolder("ped2")
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = ContinuousClock.now
        let page = try VideoReport(model: model, dataset: ped2, evaluation: evaluation, options: ReportOptions(explainedImages: 2))
            .write(to: folder.appendingPathComponent("report"))
        print("Ped2 01-02 video report written in \(started.duration(to: .now))")
        let videos = page.deletingLastPathComponent().appendingPathComponent(VideoReport.videoFolderName)
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: videos.path).first)
        let video = try VideoFile(url: videos.appendingPathComponent(file))
        #expect(video.map { _ in 1 }.count == 180, "both clips have 180 frames")
        #expect(video.width >= 360 && video.height >= 240, "the frame with its caption: \(video.width)x\(video.height)")
    }
}
