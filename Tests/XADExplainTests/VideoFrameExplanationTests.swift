import Testing
import XADContracts
import XADDetect
import XADExplain
import XADTensor

/// The image explainers work on frames of the differentiable video detectors (the survey's
/// cross-modal transfer): Grad-CAM and integrated gradients on a frame of per-frame PatchCore
/// and on a frame-prediction window give finite maps at the frame's size, highest where the
/// synthetic anomaly is.
@Suite("Explaining video frames", .serialized)
struct VideoFrameExplanationTests {
    static let explainers: [any Explainer] = [GradCAM(), IntegratedGradients(steps: 16, baseline: .blurred(sigma: 3))]

    /// The row and column of `map`'s largest value.
    static func peak(of map: Tensor) throws -> (row: Int, column: Int) {
        let values = map.scalars
        let index = try #require(values.indices.max { values[$0] < values[$1] })
        return (index / map.shape[1], index % map.shape[1])
    }

    /// Per-frame PatchCore, frame 16 of the clip with a dark block at rows and columns 40..<52:
    /// the map (absolute values for the signed integrated gradients) peaks within 8 pixels of the block.
    @Test func perFrameFramesAreExplainedWhereTheBlockIs() throws {
        let model = try SyntheticClips.fittedPerFrame()
        let frame = try SyntheticClips.clipWithBlock().images[16]
        for explainer in Self.explainers {
            let method = type(of: explainer).name
            let explanation = try explainer.explain(model, image: frame, target: .imageScore)
            #expect(explanation.map.shape == [64, 64] && explanation.map.scalars.allSatisfy(\.isFinite), "\(method)")
            let (row, column) = try Self.peak(of: explanation.map.abs())
            #expect((32..<60).contains(row) && (32..<60).contains(column), "\(method): peak at \(row), \(column)")
        }
    }

    /// Frame prediction, the window ending at frame 16 of the clip whose square jumps: the map
    /// peaks within 6 pixels of where the square is or was a frame before.
    @Test func framePredictionWindowsAreExplainedWhereTheSquareJumps() throws {
        let model = try SyntheticClips.fittedFramePrediction()
        let clip = try SyntheticClips.anomalousClip()
        let window = try model.window(endingAt: 16, in: clip)
        let left = Swift.min(clip.squareLefts[15], clip.squareLefts[16]) - 6
        let right = Swift.max(clip.squareLefts[15], clip.squareLefts[16]) + SyntheticClips.squareSide + 6
        let rows = (SyntheticClips.squareTop - 6)..<(SyntheticClips.squareTop + SyntheticClips.squareSide + 6)
        for explainer in Self.explainers {
            let method = type(of: explainer).name
            let explanation = try explainer.explain(model, image: window, target: .imageScore)
            #expect(explanation.map.shape == [32, 32] && explanation.map.scalars.allSatisfy(\.isFinite), "\(method)")
            let (row, column) = try Self.peak(of: explanation.map.abs())
            #expect(rows.contains(row) && (left..<right).contains(column), "\(method): peak at \(row), \(column)")
        }
    }
}
