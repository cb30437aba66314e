import Foundation
import XADDetect
import XADImage
import XADModels
import XADTensor

/// What every registered video detector (``DetectorTraits/input`` `.clips`) must do, on tiny
/// synthetic clips of a bright square crossing a still, textured background: fit on clips where the
/// square moves slowly, score one finite result per frame of a clip where it speeds up, rank the
/// fast frames above the slow ones, refuse single images, and save and load with the same scores.
public enum ClipDetectorContract {
    /// The side of the synthetic frames.
    public static let side = 64

    /// A clip of frames already in memory.
    public struct SyntheticClip: ClipSource {
        public let name: String
        public let images: [Tensor]
        public var frames: any ImageSource { InMemoryImages(images) }
    }

    /// A clip of `speeds.count` frames: a 10 x 10 square (intensity 0.9) whose left edge starts at
    /// `x` and moves `speeds[t]` pixels right before frame `t + 1`, at row `y`, over a fixed seeded
    /// texture in 0.3...0.5.
    public static func clip(_ name: String, x: Float, y: Int, speeds: [Float]) throws -> SyntheticClip {
        var generator = SeededGenerator(seed: 5)
        let background = (0..<(side * side)).map { i in
            0.3 + 0.1 * Float(i % side + i / side) / Float(2 * side) + Float.random(in: 0..<0.1, using: &generator)
        }
        var left = x
        var images: [Tensor] = []
        for speed in speeds {
            var pixels = background
            let column = Int(left.rounded())
            for row in y..<Swift.min(side, y + 10) { for col in Swift.max(0, column)..<Swift.min(side, column + 10) { pixels[row * side + col] = 0.9 } }
            images.append(try Tensor(shape: [1, 1, side, side], scalars: pixels))
            left += speed
        }
        return SyntheticClip(name: name, images: images)
    }

    /// Training: three clips with the square moving 1 px per frame at three rows.
    public static func normalClips() throws -> [SyntheticClip] {
        try [(4, 8), (12, 27), (20, 44)].enumerated().map { k, start in
            try clip("normal\(k)", x: Float(start.0), y: start.1, speeds: [Float](repeating: 1, count: 16))
        }
    }

    /// The test clip: 12 frames at 1 px per frame, then 8 at 4 px per frame.
    public static func speedingClip() throws -> SyntheticClip {
        try clip("speeding", x: 4, y: 27, speeds: [Float](repeating: 1, count: 12) + [Float](repeating: 4, count: 8))
    }

    /// Runs every check on `type`; throws ``ContractViolation`` naming the first one broken.
    public static func check(_ type: any AnomalyDetector.Type) throws {
        try DetectorContract.checkDescription(of: type)
        try checkFitted(type)
    }

    private static func checkFitted<D: AnomalyDetector>(_ type: D.Type) throws {
        let name = D.name
        let setup = DetectorContract.setup(for: type)
        let backbone = D.traits.needsBackbone ? try Backbones.load(setup.backbone) : nil
        let clips = try normalClips()
        let context = FitContext(images: InMemoryImages(clips.flatMap(\.images)), clips: clips, setup: setup, backbone: backbone)
        guard let model = try D.fit(context, options: D.Options()) as? any VideoAnomalyDetector else {
            throw ContractViolation(description: "\(name): takes clips but is not a VideoAnomalyDetector")
        }
        let test = try speedingClip()
        let result = try model.score(clip: test)
        try require(result.clip == test.name && result.frames.count == test.images.count,
                    "\(name): \(test.images.count) frames gave \(result.frames.count) results")
        try require(result.frames.allSatisfy { $0.score.isFinite && $0.rawScore.isFinite }, "\(name): a frame score is not finite")
        let scores = result.scores
        let (slow, fast) = (scores[0..<8].reduce(0, +) / 8, scores[14..<20].reduce(0, +) / 6)
        try require(fast > slow, "\(name): the fast frames scored \(fast) on average, not above the slow frames' \(slow)")
        // A single image is refused (a detector that needs the neighbouring frames) or scored
        // finitely (a per-frame detector); never a wrong count or a non-finite score.
        if let single = try? model.score(batch: try test.images[0].grayscaleToRGB()) {
            try require(single.count == 1 && single[0].score.isFinite, "\(name): a single image gave \(single.count) results or a non-finite score")
        }
        try checkSaveAndLoad(model, test: test, scores: scores)
    }

    private static func checkSaveAndLoad(_ model: any VideoAnomalyDetector, test: SyntheticClip, scores: [Float]) throws {
        let name = type(of: model).name
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clip-contract-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        guard let restored = try SavedModel.load(url).detector as? any VideoAnomalyDetector else {
            throw ContractViolation(description: "\(name): did not load as a video detector")
        }
        let again = try restored.score(clip: test).scores
        for (before, after) in zip(scores, again) {
            try require(abs(before - after) <= 1e-4 * Swift.max(1, abs(before)),
                        "\(name): score \(before) became \(after) after save and load")
        }
    }
}
