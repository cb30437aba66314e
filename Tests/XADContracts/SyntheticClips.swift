import XADDetect
import XADImage
import XADModels
import XADTensor

/// Tiny synthetic videos for the video detectors' tests: a bright square gliding across a noisy
/// grey background, one pixel per frame to the right; in the anomalous clip it jumps 5 pixels back
/// and forth for a few frames.
public enum SyntheticClips {
    /// A clip held in memory, frames `[1, 1, H, W]` in 0...1.
    public struct Clip: ClipSource {
        public let name: String
        public let images: [Tensor]
        /// The square's left edge in each frame (its top is ``squareTop``).
        public let squareLefts: [Int]
        public var frames: any ImageSource { InMemoryImages(images) }
    }

    /// The square's side, in pixels.
    public static let squareSide = 8
    /// The square's top row.
    public static let squareTop = 12

    /// A clip of `count` frames of `size`; the square's left edge starts at 0 and moves by
    /// `speed(frame)` pixels per frame (it must stay inside the frame), at a fixed row. Seeded
    /// noise of amplitude 0.1.
    public static func clip(name: String, count: Int, size: Size2 = Size2(32), seed: UInt64,
                            speed: (Int) -> Int = { _ in 1 }) throws -> Clip {
        var generator = SeededGenerator(seed: seed)
        var x = 0
        var images: [Tensor] = [], lefts: [Int] = []
        for frame in 0..<count {
            if frame > 0 { x += speed(frame) }
            var pixels = (0..<(size.height * size.width)).map { _ in 0.3 + Float.random(in: 0..<0.1, using: &generator) }
            for y in squareTop..<(squareTop + squareSide) { for column in x..<(x + squareSide) { pixels[y * size.width + column] = 0.9 } }
            images.append(try Tensor(shape: [1, 1, size.height, size.width], scalars: pixels))
            lefts.append(x)
        }
        return Clip(name: name, images: images, squareLefts: lefts)
    }

    /// Normal training clips: the square at one pixel per frame, each from another seed.
    public static func normalClips(count: Int = 3, frames: Int = 24, size: Size2 = Size2(32)) throws -> [Clip] {
        try (0..<count).map { try clip(name: "train\($0)", count: frames, size: size, seed: UInt64(10 + $0)) }
    }

    /// The frames where ``anomalousClip(size:)``'s square races.
    public static let anomalousFrames = 14..<19

    /// A test clip of 24 frames whose square jumps 5 pixels right, left, right, … during
    /// ``anomalousFrames`` (it ends 4 pixels further right than a normal square would).
    public static func anomalousClip(size: Size2 = Size2(32)) throws -> Clip {
        try clip(name: "test", count: 24, size: size, seed: 99) { anomalousFrames.contains($0) ? ($0 % 2 == 0 ? 5 : -5) : 1 }
    }
}

extension SyntheticClips {
    /// The rows and columns of the dark block of ``clipWithBlock(size:)``.
    public static let blockRange = 40..<52

    /// A normal 64x64 clip of 24 frames with a dark block painted at ``blockRange`` (rows and
    /// columns) into ``anomalousFrames``: an appearance anomaly, which a per-frame detector sees.
    public static func clipWithBlock(size: Size2 = Size2(64)) throws -> Clip {
        let clip = try clip(name: "block", count: 24, size: size, seed: 99)
        let images = try clip.images.enumerated().map { index, image in
            guard anomalousFrames.contains(index) else { return image }
            var pixels = image.scalars
            for y in blockRange { for x in blockRange { pixels[y * size.width + x] = 0 } }
            return try Tensor(shape: image.shape, scalars: pixels)
        }
        return Clip(name: clip.name, images: images, squareLefts: clip.squareLefts)
    }

    /// Frame prediction with tiny settings (32x32, 4 channels, 30 epochs) for the 32x32 clips:
    /// a few seconds of training on ``normalClips(count:frames:size:)``, seed 3.
    public static func fittedFramePrediction() throws -> FramePrediction {
        var options = FramePrediction.Options()
        (options.height, options.width, options.channels) = (32, 32, 4)
        (options.windowStep, options.epochs, options.batchSize, options.learningRate) = (1, 30, 8, 3e-3)
        let context = FitContext(images: InMemoryImages([]), clips: try normalClips(),
                                 setup: DetectorSetup(backbone: DetectorSetup.noBackbone, layers: []), backbone: nil,
                                 training: TrainingSettings(seed: 3))
        return try FramePrediction.fit(context, options: options)
    }

    /// Per-frame PatchCore (default options, every 4th frame) fitted on 64x64 normal clips,
    /// preprocessing at 64x64.
    public static func fittedPerFrame() throws -> PerFrame {
        var options = PerFrame.Options()
        options.frameStep = 4
        let setup = DetectorSetup(layers: PerFrame.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(64)))
        let context = FitContext(images: InMemoryImages([]), clips: try normalClips(size: Size2(64)), setup: setup,
                                 backbone: try Backbones.load(setup.backbone))
        return try PerFrame.fit(context, options: options)
    }
}
