import XADImage
import XADModels
import XADTensor

/// A method that learns what normal images look like and then scores new images.
///
/// Fitting returns a new, fully fitted value (there is no half-fitted state); scoring is pure and
/// thread-safe. Each detector lives in its own folder with a README; registering one is one line
/// in ``Detectors/all``.
///
/// ```swift
/// let backbone = try EfficientNetLite.pretrained(.lite0)
/// let model = try PaDiM.fit(on: images, setup: DetectorSetup(layers: ["blocks.1", "blocks.2"]),
///                           options: PaDiM.Options(), backbone: backbone)
/// let result = try model.score(image: test)     // result.score, result.map [H, W]
/// ```
public protocol AnomalyDetector: Sendable {
    /// The method's options, saved inside every model.
    associatedtype Options: Codable & Sendable & Equatable

    /// The registry name users pass with `--detector`, e.g. `"padim"`.
    static var name: String { get }
    /// One sentence for `xad fit --help` and reports.
    static var summary: String { get }

    /// Backbone, layers and preprocessing this model was fitted with.
    var setup: DetectorSetup { get }
    /// The options this model was fitted with.
    var options: Options { get }

    /// Fits on normal images (each `[1, C, H, W]` in 0...1, any size).
    static func fit(on images: some ImageSource, setup: DetectorSetup, options: Options,
                    backbone: any Backbone, progress: FitProgress?) throws -> Self

    /// Scores a batch already prepared by `setup.preprocessing` (`[N, 3, H, W]`); each result's
    /// map has the batch's spatial size.
    func score(batch: Tensor) throws -> [AnomalyResult]

    /// The fitted tensors, by name, for saving.
    var fittedTensors: [String: Tensor] { get }

    /// A model restored from saved tensors. Throws when a tensor is missing or mis-shaped.
    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: any Backbone) throws
}

extension AnomalyDetector {
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
}

/// What every detector is built on: the backbone, its feature layers, the input preprocessing.
public struct DetectorSetup: Codable, Sendable, Equatable {
    /// The backbone's name, e.g. `"efficientnet-lite0"`.
    public var backbone: String
    /// The backbone taps the detector reads, finest first.
    public var layers: [String]
    /// How images become the backbone's input.
    public var preprocessing: Preprocessing

    public init(backbone: String = "efficientnet-lite0", layers: [String], preprocessing: Preprocessing = Preprocessing()) {
        self.backbone = backbone
        self.layers = layers
        self.preprocessing = preprocessing
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

/// Reports fitting progress: the stage and how many of how many items are done.
public typealias FitProgress = @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void
