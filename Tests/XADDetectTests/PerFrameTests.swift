import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

@Suite("Per-frame detector", .serialized)
struct PerFrameTests {
    static let size = Size2(64)
    static let model = Result { try SyntheticClips.fittedPerFrame() }

    /// The image detector is fitted on every 4th frame; the block's frames score above all others
    /// (raw AUROC 1), the smoothed scores are the raw ones smoothed by the shared Gaussian
    /// (sigma 3), each map has the frame's size and peaks in the block.
    @Test func scoresFramesWithTheImageDetectorAndSmoothsOverTime() throws {
        let model = try Self.model.get()
        let patchCore = try #require(model.frameDetector as? PatchCore)
        #expect(patchCore.options == PatchCore.Options())
        #expect(SampledFrames(clips: try SyntheticClips.normalClips(size: Self.size), step: 4).count == 18)

        let result = try model.score(clip: try SyntheticClips.clipWithBlock())
        let raw = result.frames.map(\.rawScore)
        #expect(try raw.smoothedOverTime(sigma: 3) == result.scores)
        let labels = (0..<24).map { SyntheticClips.anomalousFrames.contains($0) }
        #expect(try FrameAUROC(videos: [try VideoFrames(name: "block", scores: raw, labels: labels)]).micro == 1, "\(raw)")
        for frame in SyntheticClips.anomalousFrames {
            let map = try #require(result.frames[frame].map)
            #expect(map.shape == [64, 64])
            let values = map.scalars
            let peak = try #require(values.indices.max { values[$0] < values[$1] })
            #expect((36..<56).contains(peak / 64) && (36..<56).contains(peak % 64), "frame \(frame): peak at \(peak / 64), \(peak % 64)")
        }
    }

    /// Saved and loaded, the model keeps its image detector, options and scores.
    @Test func savesAndLoads() throws {
        let model = try Self.model.get()
        let clip = try SyntheticClips.clipWithBlock()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("perframe-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        let restored = try #require(try SavedModel.load(url).detector as? PerFrame)
        #expect(restored.options == model.options)
        let (before, after) = (try model.score(clip: clip), try restored.score(clip: clip))
        #expect(before.scores == after.scores)
        #expect(zip(before.frames, after.frames).allSatisfy { $0.map?.scalars == $1.map?.scalars })
    }

    /// Options name a registered image detector and its valid options; anything else is refused.
    @Test func refusesBadOptions() throws {
        var options = PerFrame.Options()
        options.detector = "nope"
        #expect(throws: DetectorError.self) { try options.validate(method: PerFrame.name) }
        options.detector = "frameprediction"
        #expect(throws: OptionError.self) { try options.validate(method: PerFrame.name) }
        options.detector = "padim"
        options.detectorOptions = OptionOverrides(["noSuchKey": .number(1)])
        #expect(throws: OptionError.self) { try options.validate(method: PerFrame.name) }
        options.detectorOptions = try OptionOverrides(json: #"{"channels": 0}"#)
        #expect(throws: OptionError.self) { try options.validate(method: PerFrame.name) }
        let overridden = try PerFrame.Options().overriding(OptionOverrides(settings: [#"detectorOptions={"coresetRatio": 0.5}"#]),
                                                           method: PerFrame.name)
        #expect(overridden.detectorOptions.values["coresetRatio"] == .number(0.5))
    }
}
