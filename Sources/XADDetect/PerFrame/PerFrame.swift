import XADImage
import XADModels
import XADTensor

/// Any image detector applied to the frames of a video: fitted on every `frameStep`-th frame of
/// the normal training clips, it scores each test frame on its own; the frame scores are then
/// smoothed over time by a Gaussian of `sigma` frames. The map of a frame is the image
/// detector's map, at the frame's size.
///
/// The image detector is named by the options (`detector`, default `patchcore`, with its own
/// options in `detectorOptions`) and uses this model's setup (backbone, layers, preprocessing).
/// A frame scored alone (``AnomalyDetector/score(images:)``) gets the image detector's result,
/// and gradients come from the image detector when it is differentiable, so the image explainers
/// work on frames.
///
/// ```swift
/// var options = PerFrame.Options()
/// options.detector = "padim"
/// let model = try PerFrame.fit(FitContext(images: InMemoryImages([]), clips: ped2.train, setup: setup,
///                                         backbone: backbone), options: options)
/// let curve = try model.score(clip: ped2.test[0]).scores      // smoothed, one per frame
/// ```
public struct PerFrame: VideoAnomalyDetector {
    public static let name = "perframe"
    public static let summary = "an image detector (default patchcore) fitted on sampled training frames, scoring each frame; scores smoothed over time"
    public static let defaultLayers = PatchCore.defaultLayers
    public static let traits = DetectorTraits(input: .clips)

    public let setup: DetectorSetup
    public let options: Options
    /// The fitted image detector that scores each frame.
    public let frameDetector: any AnomalyDetector

    public var trainingRecord: TrainingRecord? { frameDetector.trainingRecord }

    public static func fit(_ context: FitContext, options: Options) throws -> PerFrame {
        try options.validate(method: name)
        let clips = try context.requireClips(for: name)
        var frames = context
        frames.images = SampledFrames(clips: clips, step: options.frameStep)
        frames.clips = []
        return PerFrame(setup: context.setup, options: options,
                        frameDetector: try fitFrameDetector(try options.frameDetectorType(), on: frames, options: options))
    }

    private init(setup: DetectorSetup, options: Options, frameDetector: any AnomalyDetector) {
        self.setup = setup
        self.options = options
        self.frameDetector = frameDetector
    }

    private static func fitFrameDetector<D: AnomalyDetector>(_ type: D.Type, on context: FitContext,
                                                             options: Options) throws -> any AnomalyDetector {
        try D.fit(context, options: try D.Options().overriding(options.detectorOptions, method: D.name))
    }

    /// The image detector's results for a batch of frames, unsmoothed.
    public func score(batch: Tensor) throws -> [AnomalyResult] {
        try frameDetector.score(batch: batch)
    }

    public func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult {
        let count = clip.frames.count
        var results: [AnomalyResult] = []
        results.reserveCapacity(count)
        for start in stride(from: 0, to: count, by: options.batchSize) {
            let end = Swift.min(count, start + options.batchSize)
            results += try frameDetector.score(images: try (start..<end).map { try clip.frames.image(at: $0) })
            progress?("scoring \(clip.name)", end, count)
        }
        let raw = results.map(\.score)
        let smoothed = try raw.smoothedOverTime(sigma: options.sigma)
        return ClipResult(clip: clip.name, frames: results.indices.map {
            FrameResult(score: smoothed[$0], rawScore: raw[$0], map: results[$0].map)
        })
    }

    public var fittedTensors: [String: Tensor] { frameDetector.fittedTensors }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let frameDetector = try Self.restoreFrameDetector(try options.frameDetectorType(), tensors: tensors, setup: setup,
                                                          options: options, backbone: backbone)
        self.init(setup: setup, options: options, frameDetector: frameDetector)
    }

    private static func restoreFrameDetector<D: AnomalyDetector>(_ type: D.Type, tensors: [String: Tensor], setup: DetectorSetup,
                                                                 options: Options, backbone: (any Backbone)?) throws -> any AnomalyDetector {
        try D(restoring: tensors, setup: setup, options: try D.Options().overriding(options.detectorOptions, method: D.name),
              backbone: backbone)
    }
}

extension PerFrame: DifferentiableDetector {
    /// The image detector's recorded map of a batch of frames.
    /// - Throws: ``DetectorError/missingRequirement(_:)`` when the image detector gives no gradients.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        guard let differentiable = frameDetector as? any DifferentiableDetector else {
            throw DetectorError.missingRequirement("perframe: its frame detector \(type(of: frameDetector).name) gives no gradients; choose a differentiable one (padim, patchcore, autoencoder)")
        }
        return try differentiable.differentiableForward(batch: batch)
    }
}

/// Every `step`-th frame of each clip (frames `0, step, 2·step, …` of every clip), in order:
/// the normal images a ``PerFrame`` detector fits its image detector on.
struct SampledFrames: ImageSource {
    /// (clip, frame) of each sampled frame.
    let positions: [(clip: Int, frame: Int)]
    let clips: [any ClipSource]

    init(clips: [any ClipSource], step: Int) {
        self.clips = clips
        positions = clips.indices.flatMap { c in stride(from: 0, to: clips[c].frames.count, by: step).map { (clip: c, frame: $0) } }
    }

    var count: Int { positions.count }

    func image(at index: Int) throws -> Tensor {
        let position = positions[index]
        return try clips[position.clip].frames.image(at: position.frame)
    }
}
