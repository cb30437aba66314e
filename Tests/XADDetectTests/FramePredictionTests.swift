import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADImage
import XADMetrics
import XADTensor
import XADTestSupport

@Suite("Frame prediction detector", .serialized)
struct FramePredictionTests {
    /// The model of `SyntheticClips.fittedFramePrediction()`, trained once for all tests of the suite.
    static let model = Result { try SyntheticClips.fittedFramePrediction() }

    /// The losses equal the authors' definitions computed in numpy (Tools/reference/gen_frame_prediction.py),
    /// within 1e-5 relative (float32 sums over 60 values against float64).
    @Test func lossesMatchTheReference() throws {
        let fixture = try Fixture("video/frame_prediction.json")
        let (prediction, target) = (try fixture.tensor("prediction"), try fixture.tensor("target"))
        let gradient = try #require(FramePredictionNetwork.gradientLoss(prediction, target).scalar)
        let expected = try #require(fixture["gradient_loss"]?.float)
        #expect(abs(gradient - expected) <= 1e-5 * expected, "\(gradient) vs \(expected)")
        let intensity = try #require(Loss.meanSquaredError(prediction, target).scalar)
        let expectedIntensity = try #require(fixture["intensity_loss"]?.float)
        #expect(abs(intensity - expectedIntensity) <= 1e-5 * expectedIntensity)
    }

    /// Eq. 8 (PSNR min-max normalised per clip, subtracted from 1) and the temporal smoothing
    /// (scipy's `gaussian_filter1d(sigma=3, mode="mirror")`) agree with the reference to 1e-5.
    @Test func normalisedScoresAndSmoothingMatchTheReference() throws {
        let fixture = try Fixture("video/frame_prediction.json")
        let scores = FramePrediction.normalisedScores(meanSquaredErrors: try fixture.tensor("mse").scalars)
        #expect(toleranceRatio(try Tensor(shape: [scores.count], scalars: scores), try fixture.tensor("normalised_scores"),
                               absolute: 1e-5, relative: 1e-5) <= 1)
        #expect(FramePrediction.normalisedScores(meanSquaredErrors: [0.1, 0.1]) == [0, 0])
        for (input, output) in [("scores", "smoothed_sigma3"), ("short_scores", "short_smoothed_sigma3")] {
            let smoothed = try fixture.tensor(input).scalars.smoothedOverTime(sigma: 3)
            #expect(toleranceRatio(try Tensor(shape: [smoothed.count], scalars: smoothed), try fixture.tensor(output),
                                   absolute: 1e-5, relative: 1e-5) <= 1, "\(input)")
        }
    }

    /// Trained on squares gliding one pixel per frame, the loss halves (the background noise
    /// cannot be predicted, so it does not fall further), the model finds the frames where the square
    /// jumps back and forth (frame AUROC at least 0.9), and each anomalous frame's map peaks on
    /// the square; save and load give the same scores and maps.
    @Test func findsTheJumpingSquareAndSavesAndLoads() throws {
        let model = try Self.model.get()
        let record = try #require(model.trainingRecord)
        #expect(record.epochs == 30 && record.losses[29] < record.losses[0] / 2, "\(record.losses)")

        let clip = try SyntheticClips.anomalousClip()
        let result = try model.score(clip: clip)
        #expect(result.frames.count == 24 && result.frames.allSatisfy { $0.map?.shape == [32, 32] })
        let labels = (0..<24).map { SyntheticClips.anomalousFrames.contains($0) }
        let auroc = try FrameAUROC(videos: [try VideoFrames(name: "test", scores: result.frames.map(\.rawScore), labels: labels)]).micro
        #expect(auroc >= 0.9, "raw scores \(result.frames.map(\.rawScore))")
        for frame in SyntheticClips.anomalousFrames {
            let map = try #require(result.frames[frame].map).scalars
            let peak = try #require(map.indices.max { map[$0] < map[$1] })
            let (row, column) = (peak / 32, peak % 32)
            let left = Swift.min(clip.squareLefts[frame], clip.squareLefts[frame - 1])
            let right = Swift.max(clip.squareLefts[frame], clip.squareLefts[frame - 1]) + SyntheticClips.squareSide
            #expect((SyntheticClips.squareTop - 2..<SyntheticClips.squareTop + SyntheticClips.squareSide + 2).contains(row)
                    && (left - 2..<right + 2).contains(column), "frame \(frame): peak at \(row), \(column)")
        }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fp-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        let restored = try #require(try SavedModel.load(url).detector as? FramePrediction)
        let again = try restored.score(clip: clip)
        #expect(again.scores == result.scores)
        #expect(zip(again.frames, result.frames).allSatisfy { $0.map?.scalars == $1.map?.scalars })
    }

    /// A window is the grey frames t-4...t as channels; frames without four before them, bad
    /// options and images that are not windows are refused with errors that say why.
    @Test func windowsAndBadInput() throws {
        let model = try Self.model.get()
        let clip = try SyntheticClips.anomalousClip()
        let window = try model.window(endingAt: 10, in: clip)
        #expect(window.shape == [1, 5, 32, 32])
        #expect(try window.sliced(axis: 1, range: 4..<5).scalars == clip.images[10].scalars)
        #expect(throws: DetectorError.self) { try model.window(endingAt: 3, in: clip) }
        #expect(throws: (any Error).self) { try model.score(image: clip.images[10]) }
        var bad = model.options
        bad.height = 30
        #expect(throws: OptionError.self) { try bad.validate(method: FramePrediction.name) }
        let noClips = FitContext(images: InMemoryImages(clip.images), setup: DetectorSetup(layers: []), backbone: nil)
        #expect(throws: DetectorError.self) { try FramePrediction.fit(noClips, options: model.options) }
    }
}
