import Foundation
import XADImage
import XADModels
import XADTensor

/// Future-frame prediction (Liu, Luo, Lian, Gao, "Future Frame Prediction for Anomaly Detection -
/// A New Baseline", CVPR 2018): a U-Net trained on normal clips predicts each grey frame from the
/// `pastFrames` before it; a frame it cannot predict is anomalous.
///
/// Per frame `t`: the prediction `P` of `F_t` from `F_{t-k}..F_{t-1}` (frames resized to
/// `height x width`, in -1...1), `PSNR_t = 10 log10(1 / mean((P - F_t) / 2)²)`; per clip,
/// `s_t = (PSNR_t - min PSNR) / (max PSNR - min PSNR)` and the raw score is `1 - s_t` (Eq. 8);
/// the final score is smoothed over time by a Gaussian of `sigma` frames. The explanation map is
/// the squared prediction error `((P - F_t) / 2)²`, at the frame's size.
///
/// Its images are windows: `[1, pastFrames + 1, H, W]`, the grey frames `t-k..t` as channels
/// (``window(endingAt:in:)``), so ``AnomalyDetector/score(images:)`` and the image explainers
/// work on a frame in its context; ``score(clip:progress:)`` scores a whole clip.
///
/// ```swift
/// let model = try FramePrediction.fit(FitContext(images: InMemoryImages([]), clips: ped2.train,
///                                                setup: DetectorSetup(backbone: DetectorSetup.noBackbone, layers: []),
///                                                backbone: nil, training: TrainingSettings(maxMinutes: 18)),
///                                     options: FramePrediction.Options())
/// let curve = try model.score(clip: ped2.test[0]).scores
/// ```
public struct FramePrediction: VideoAnomalyDetector, DifferentiableDetector {
    public static let name = "frameprediction"
    public static let summary = "U-Net predicting each frame from the previous ones; PSNR of the prediction normalised per clip (Liu et al. 2018)"
    /// Not backbone taps: the U-Net's deepest features, for Grad-CAM.
    public static let defaultLayers = ["bottleneck"]
    public static let traits = DetectorTraits(input: .clips, needsBackbone: false, isTrained: true)

    /// The setup the model runs with: its own window preprocessing (grey frames resized to the
    /// options' size, in -1...1), whatever setup fitting was given.
    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let network: FramePredictionNetwork

    public static func fit(_ context: FitContext, options: Options) throws -> FramePrediction {
        try options.validate(method: name)
        let clips = try context.requireClips(for: name)
        let detector = try FramePrediction(options: options, trainingRecord: nil, seed: context.training.seed)
        var windows: [Tensor] = []
        for clip in clips {
            let frames = try detector.preparedFrames(of: clip, progress: context.progress)
            for t in stride(from: options.pastFrames, to: frames.count, by: options.windowStep) {
                windows.append(try detector.window(endingAt: t, of: frames))
            }
        }
        guard !windows.isEmpty else {
            throw DetectorError.invalidInput("\(name): the training clips have no frame with \(options.pastFrames) frames before it")
        }
        let loop = TrainingLoop(detector: name, plan: options.plan, settings: context.training, progress: context.progress)
        let outcome = try loop.run(detector.network, samples: try Tensor.concatenate(windows, axis: 0))
        return FramePrediction(setup: detector.setup, options: options, trainingRecord: outcome.record, network: outcome.model)
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, network: FramePredictionNetwork) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.network = network
    }

    /// An untrained model for `options`, its network initialised from `seed`.
    private init(options: Options, trainingRecord: TrainingRecord?, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let network = try FramePredictionNetwork(inputFrames: options.pastFrames, width: options.channels,
                                                 gradientWeight: options.gradientWeight, generator: &generator)
        let windowChannels = [Float](repeating: 0.5, count: options.pastFrames + 1)
        let preprocessing = Preprocessing(imageSize: options.frameSize, mean: windowChannels, std: windowChannels,
                                          grayscaleToRGB: false)
        self.init(setup: DetectorSetup(backbone: DetectorSetup.noBackbone, layers: Self.defaultLayers, preprocessing: preprocessing),
                  options: options, trainingRecord: trainingRecord, network: network)
    }

    /// The window of frame `t` of `clip`: its grey frames `t - pastFrames ... t` as the channels
    /// of `[1, pastFrames + 1, H, W]` in 0...1, at the clip's size: the image this detector
    /// scores and explainers explain.
    /// - Throws: ``DetectorError/invalidInput(_:)`` when `t` has fewer than `pastFrames` frames
    ///   before it; the clip's error for a frame that cannot be read.
    public func window(endingAt t: Int, in clip: any ClipSource) throws -> Tensor {
        let k = options.pastFrames
        guard t >= k, t < clip.frames.count else {
            throw DetectorError.invalidInput("clip \(clip.name): frame \(t) has no \(k) frames before it in the clip's \(clip.frames.count)")
        }
        return try Tensor.concatenate(((t - k)...t).map { try clip.frames.image(at: $0).rgbToGrayscale() }, axis: 1)
    }

    /// Every frame of `clip`, grey and prepared (`[1, 1, h, w]` in -1...1), in order.
    func preparedFrames(of clip: any ClipSource, progress: FitProgress?) throws -> [Tensor] {
        let preprocessing = Preprocessing(imageSize: options.frameSize, mean: [0.5], std: [0.5], grayscaleToRGB: false)
        let count = clip.frames.count
        return try (0..<count).map { index in
            progress?("preparing frames of \(clip.name)", index + 1, count)
            return try preprocessing(clip.frames.image(at: index).rgbToGrayscale())
        }
    }

    /// The prepared window of frame `t` (`t >= pastFrames`): `frames[t - pastFrames ... t]` as channels.
    func window(endingAt t: Int, of frames: [Tensor]) throws -> Tensor {
        try Tensor.concatenate(Array(frames[(t - options.pastFrames)...t]), axis: 1)
    }

    /// The squared prediction error `((P - F_t) / 2)²` of prepared windows `[N, pastFrames + 1, h, w]`
    /// as `[N, h, w]` (intensities in 0...1 units), and the U-Net's deepest features as
    /// `"bottleneck"`; recorded on a tape when `batch` is watched, so the window's every frame,
    /// the target included, receives gradients.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let size = options.frameSize, channels = options.pastFrames + 1
        guard batch.rank == 4, batch.shape[1] == channels, batch.shape[2] == size.height, batch.shape[3] == size.width else {
            throw DetectorError.invalidInput("frameprediction scores windows of \(channels) grey frames, prepared as [N, \(channels), \(size.height), \(size.width)]; got \(batch.shape) (build one with window(endingAt:in:))")
        }
        let (past, target) = try network.split(batch)
        let (prediction, bottleneck) = try network.forward(past)
        let error = try ((prediction - target) * 0.5).squared()
        return DifferentiableOutput(map: try error.reshaped([batch.shape[0], size.height, size.width]),
                                    activations: ["bottleneck": bottleneck])
    }

    /// Each window's map (the squared prediction error) and, as its score, the map's mean: the
    /// frame's mean squared error in 0...1 units, `10^(-PSNR/10)`. Not normalised: the paper's
    /// per-clip normalisation needs the whole clip (``score(clip:progress:)``).
    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let maps = try differentiableForward(batch: batch.detached).map
        let size = options.frameSize
        return try (0..<maps.shape[0]).map { n in
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([size.height, size.width])
            let score = try map.mean().scalar ?? .nan
            guard score.isFinite else { throw DetectorError.numericalFailure("frameprediction: the prediction error of window \(n) is not finite") }
            return AnomalyResult(score: score, map: map, provenance: Provenance(layers: [], grid: size, patchScores: map))
        }
    }

    public func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult {
        let frames = try preparedFrames(of: clip, progress: nil)
        let k = options.pastFrames
        guard frames.count > k else {
            throw DetectorError.invalidInput("clip \(clip.name): \(frames.count) frames; frameprediction needs more than \(k) (it predicts each frame from the \(k) before it)")
        }
        let first = try clip.frames.image(at: 0)
        let originalSize = Size2(height: first.shape[2], width: first.shape[3])
        var errors: [Float] = [], maps: [Tensor] = []
        for start in stride(from: k, to: frames.count, by: options.batchSize) {
            let end = Swift.min(frames.count, start + options.batchSize)
            let windows = try Tensor.concatenate(try (start..<end).map { try window(endingAt: $0, of: frames) }, axis: 0)
            for result in try score(batch: windows) {
                errors.append(result.score)
                maps.append(try result.resizingMap(to: originalSize).map)
            }
            progress?("scoring \(clip.name)", end, frames.count)
        }
        // The first k frames have no prediction: they take the first predicted frame's values.
        errors.insert(contentsOf: Array(repeating: errors[0], count: k), at: 0)
        maps.insert(contentsOf: Array(repeating: maps[0], count: k), at: 0)
        let raw = Self.normalisedScores(meanSquaredErrors: errors)
        let smoothed = try raw.smoothedOverTime(sigma: options.sigma)
        return ClipResult(clip: clip.name, frames: raw.indices.map { FrameResult(score: smoothed[$0], rawScore: raw[$0], map: maps[$0]) })
    }

    /// `1 - (PSNR - min PSNR) / (max PSNR - min PSNR)` over a clip's frames, PSNR = `-10 log10 mse`
    /// (Liu et al., Eq. 8); all 0 when every frame has the same PSNR.
    static func normalisedScores(meanSquaredErrors: [Float]) -> [Float] {
        let psnr = meanSquaredErrors.map { -10 * log10(Swift.max($0, 1e-12)) }
        guard let low = psnr.min(), let high = psnr.max(), high > low else { return psnr.map { _ in 0 } }
        return psnr.map { 1 - ($0 - low) / (high - low) }
    }

    public var fittedTensors: [String: Tensor] { network.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        var network = try FramePrediction(options: options, trainingRecord: nil, seed: 0).network
        do { try network.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved frameprediction network does not fit its options: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, network: network)
    }
}
