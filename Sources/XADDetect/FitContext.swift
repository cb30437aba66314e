import XADModels
import XADTensor

/// Everything a detector's fitting may use, in one value: the normal data (images, and for
/// video detectors ordered clips), the setup, the backbone if the method uses one, the training
/// settings of trainable methods, and a progress callback.
///
/// Frozen-feature methods read ``images`` and ``backbone``; trainable methods also read
/// ``validation`` and ``training``; video methods read ``clips``. A method asks for what it needs
/// with ``requireBackbone(for:)`` and ``requireClips(for:)``, which explain what is missing.
///
/// ```swift
/// let context = FitContext(images: InMemoryImages(normals), setup: DetectorSetup(layers: ["stage2"]),
///                          backbone: backbone)
/// let model = try PatchCore.fit(context, options: PatchCore.Options())
/// ```
public struct FitContext: Sendable {
    /// Normal training images (for video detectors: the clips' frames in order).
    public var images: any ImageSource
    /// Held-out normal images for a validation loss (trainable methods), if any.
    public var validation: (any ImageSource)?
    /// Normal training clips, in order, for video detectors; empty for image data.
    public var clips: [any ClipSource]
    /// Backbone, layers and preprocessing.
    public var setup: DetectorSetup
    /// The backbone, when the setup names one.
    public var backbone: (any Backbone)?
    /// Epoch budget, seed, checkpoints: read by trainable methods.
    public var training: TrainingSettings
    /// Receives (stage, done, total) during long work.
    public var progress: FitProgress?

    public init(images: any ImageSource, validation: (any ImageSource)? = nil, clips: [any ClipSource] = [],
                setup: DetectorSetup, backbone: (any Backbone)?, training: TrainingSettings = TrainingSettings(),
                progress: FitProgress? = nil) {
        self.images = images
        self.validation = validation
        self.clips = clips
        self.setup = setup
        self.backbone = backbone
        self.training = training
        self.progress = progress
    }

    /// The backbone, or an error saying that `detector` needs one.
    public func requireBackbone(for detector: String) throws -> any Backbone {
        try requiredBackbone(backbone, for: detector)
    }

    /// The training clips, or an error saying that `detector` scores video.
    public func requireClips(for detector: String) throws -> [any ClipSource] {
        guard !clips.isEmpty else {
            throw DetectorError.missingRequirement("\(detector) is a video detector: it is fitted on clips of ordered frames (a video data set such as ucsd), not on single images")
        }
        return clips
    }
}

/// Normal training images, decoded one at a time so that fitting never holds them all.
public protocol ImageSource: Sendable {
    /// The number of images.
    var count: Int { get }
    /// The image at `index` as `[1, C, H, W]` in 0...1.
    func image(at index: Int) throws -> Tensor
}

/// An ``ImageSource`` over tensors already in memory.
public struct InMemoryImages: ImageSource {
    public let images: [Tensor]
    public init(_ images: [Tensor]) { self.images = images }
    public var count: Int { images.count }
    public func image(at index: Int) throws -> Tensor { images[index] }
}

/// One clip of ordered frames (a video or a frame folder), decoded on demand.
public protocol ClipSource: Sendable {
    /// The clip's name, e.g. `"Test001"`, for messages and reports.
    var name: String { get }
    /// The clip's frames in order, as an ``ImageSource`` (`[1, C, H, W]` in 0...1 each).
    var frames: any ImageSource { get }
}

/// Reports fitting progress: the stage and how many of how many items are done.
public typealias FitProgress = @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void

/// How trainable detectors train: budget, seed and checkpoints. Frozen-feature methods ignore it.
public struct TrainingSettings: Codable, Sendable, Equatable {
    /// The seed of shuffling, augmentation and initialisation. Default 0.
    public var seed: UInt64
    /// Stop training after this many minutes (the last finished epoch is kept); nil: no limit.
    public var maxMinutes: Double?
    /// A folder for per-epoch checkpoints; nil: none written.
    public var checkpointFolder: String?
    /// Continue from the newest checkpoint in ``checkpointFolder``.
    public var resume: Bool

    public init(seed: UInt64 = 0, maxMinutes: Double? = nil, checkpointFolder: String? = nil, resume: Bool = false) {
        self.seed = seed
        self.maxMinutes = maxMinutes
        self.checkpointFolder = checkpointFolder
        self.resume = resume
    }
}

/// What training did, saved inside a trained model.
public struct TrainingRecord: Codable, Sendable, Equatable {
    /// Epochs completed.
    public var epochs: Int
    /// Mean training loss per epoch.
    public var losses: [Double]
    /// Validation loss per epoch (empty without a validation set).
    public var validationLosses: [Double]
    /// Wall-clock seconds of training.
    public var seconds: Double
    /// The seed used.
    public var seed: UInt64

    public init(epochs: Int, losses: [Double], validationLosses: [Double] = [], seconds: Double, seed: UInt64) {
        self.epochs = epochs
        self.losses = losses
        self.validationLosses = validationLosses
        self.seconds = seconds
        self.seed = seed
    }
}

/// `backbone`, or an error saying that `detector` needs one (for restoring a saved model).
public func requiredBackbone(_ backbone: (any Backbone)?, for detector: String) throws -> any Backbone {
    guard let backbone else {
        throw DetectorError.missingRequirement("\(detector) reads features of a pretrained backbone; the setup names none")
    }
    return backbone
}
