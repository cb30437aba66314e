import XADImage
import XADModels
import XADTensor

/// A method that learns what normal images (or frames) look like and then scores new ones.
///
/// Fitting returns a new, fully fitted value (there is no half-fitted state); scoring is pure and
/// thread-safe: any number of tasks may score against one model at once and get exactly the
/// results of scoring one after another. Everything fitting may need (the images or clips, a backbone if the method uses
/// one, training settings, progress) comes in one ``FitContext``, so frozen-feature, trainable and
/// video detectors share this one protocol. Each detector lives in its own folder with a README;
/// registering one is one line in ``Detectors/builtIn`` (or ``Detectors/register(_:)``).
///
/// ```swift
/// let backbone = try EfficientNetLite.pretrained(.lite0)
/// let context = FitContext(images: images, setup: DetectorSetup(layers: PaDiM.defaultLayers), backbone: backbone)
/// let model = try PaDiM.fit(context, options: PaDiM.Options())
/// let result = try model.score(image: test)     // result.score, result.map [H, W]
/// ```
public protocol AnomalyDetector: Sendable {
    /// The method's options (documented defaults in `init()`), saved inside every model.
    associatedtype Options: MethodOptions

    /// The registry name users pass with `--detector`, e.g. `"padim"`.
    static var name: String { get }
    /// Older or other names that also select this detector (and load its saved models).
    static var aliases: [String] { get }
    /// One sentence for help texts and reports.
    static var summary: String { get }
    /// The backbone taps used when none are given (empty for a method without a backbone).
    static var defaultLayers: [String] { get }
    /// What the detector needs and offers; explainers and the contract tests read it.
    static var traits: DetectorTraits { get }

    /// Backbone, layers and preprocessing this model was fitted with.
    var setup: DetectorSetup { get }
    /// The options this model was fitted with.
    var options: Options { get }
    /// How the model was trained (epochs, losses, time, seed); nil for methods that only
    /// collect statistics of frozen features.
    var trainingRecord: TrainingRecord? { get }

    /// Fits on the context's normal data.
    static func fit(_ context: FitContext, options: Options) throws -> Self

    /// Scores a batch already prepared by `setup.preprocessing` (`[N, 3, H, W]`); each result's
    /// map has the batch's spatial size.
    func score(batch: Tensor) throws -> [AnomalyResult]

    /// The fitted tensors, by name, for saving.
    var fittedTensors: [String: Tensor] { get }

    /// A model restored from saved tensors; `backbone` is nil when the setup names none
    /// (``DetectorSetup/noBackbone``). Throws when a tensor is missing or mis-shaped.
    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws
}

extension AnomalyDetector {
    public static var aliases: [String] { [] }
    public static var traits: DetectorTraits { DetectorTraits() }
    public var trainingRecord: TrainingRecord? { nil }

    /// Fits on normal images with a frozen backbone: the common case, as one call.
    public static func fit(on images: some ImageSource, setup: DetectorSetup, options: Options,
                           backbone: any Backbone, progress: FitProgress? = nil) throws -> Self {
        try fit(FitContext(images: images, setup: setup, backbone: backbone, progress: progress), options: options)
    }

    /// Scores images of any size (`[1, C, H, W]` in 0...1): the map comes back at each image's
    /// own size, upsampled bilinearly from the model's resolution.
    public func score(images: [Tensor]) throws -> [AnomalyResult] {
        guard !images.isEmpty else { return [] }
        let prepared = try Tensor.concatenate(images.map { try setup.preprocessing($0) }, axis: 0)
        let results = try score(batch: prepared)
        return try zip(images, results).map { image, result in
            try result.resizingMap(to: Size2(height: image.shape[2], width: image.shape[3]))
        }
    }

    /// Scores one image of any size; see ``score(images:)``.
    public func score(image: Tensor) throws -> AnomalyResult {
        try score(images: [image])[0]
    }

    /// The detector's entry as help texts and catalogues show it.
    public static var methodDescription: MethodDescription {
        MethodDescription(name: name, aliases: aliases, summary: summary, traits: traits.words,
                          options: Options.descriptions)
    }
}

/// What a detector needs and offers, for explainers, help and the contract tests.
public struct DetectorTraits: Sendable, Equatable, Codable {
    /// What the detector scores: independent images, or ordered frames of clips.
    public var input: DetectorInput
    /// Whether fitting needs a backbone (``FitContext/backbone``).
    public var needsBackbone: Bool
    /// Whether fitting trains weights (a training loop) rather than collecting statistics.
    public var isTrained: Bool
    /// Whether results name each test patch's nearest normal training patch
    /// (``Provenance/nearestNormal``), which healing and exemplar explanations build on.
    public var providesProvenance: Bool
    /// Whether the map localises the anomaly (pixel metrics apply); false for image-level
    /// detectors whose map only explains the image score.
    public var localises: Bool

    public init(input: DetectorInput = .images, needsBackbone: Bool = true, isTrained: Bool = false,
                providesProvenance: Bool = false, localises: Bool = true) {
        self.input = input
        self.needsBackbone = needsBackbone
        self.isTrained = isTrained
        self.providesProvenance = providesProvenance
        self.localises = localises
    }

    /// The traits in a few words each, for help texts.
    public var words: [String] {
        [input == .clips ? "video clips" : nil, needsBackbone ? "pretrained backbone" : nil,
         isTrained ? "trained" : nil, providesProvenance ? "nearest normal patches" : nil,
         localises ? nil : "image-level (no pixel metrics)"].compactMap { $0 }
    }
}

/// What a detector scores.
public enum DetectorInput: String, Sendable, Codable, Equatable {
    /// Independent images.
    case images
    /// Ordered frames of clips (video): fitting reads ``FitContext/clips``.
    case clips
}

/// What every detector is built on: the backbone, its feature layers, the input preprocessing.
public struct DetectorSetup: Codable, Sendable, Equatable {
    /// The backbone name of a detector that uses none.
    public static let noBackbone = "none"

    /// The backbone's name, e.g. `"efficientnet-lite0"`, or ``noBackbone``.
    public var backbone: String
    /// The backbone taps the detector reads, finest first.
    public var layers: [String]
    /// How images become the model's input.
    public var preprocessing: Preprocessing

    public init(backbone: String = "efficientnet-lite0", layers: [String], preprocessing: Preprocessing = Preprocessing()) {
        self.backbone = backbone
        self.layers = layers
        self.preprocessing = preprocessing
    }
}
