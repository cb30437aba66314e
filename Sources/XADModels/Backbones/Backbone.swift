import XADImage
import XADTensor

/// A pretrained image network seen as a source of feature maps: detectors ask for the maps at
/// named taps ("stage1" ... "stage4") and never need to know the network's inner layout.
///
/// ```swift
/// let backbone = try EfficientNetLite.pretrained(.lite0)
/// let input = try backbone.preprocessing(rgb)                      // rgb: [N, 3, H, W] in [0, 1]
/// let maps = try backbone.features(input, upTo: "stage3")           // stage1, stage2, stage3
/// maps["stage2"]?.shape                                             // [N, 40, H/8, W/8]
/// ```
public protocol Backbone: Sendable {
    /// The feature taps in the order the network computes them.
    var taps: [FeatureTap] { get }
    /// How an RGB image in `[0, 1]` becomes this backbone's input: the normalisation its weights
    /// expect and the size they were trained at (other sizes work; detectors choose their own).
    var preprocessing: Preprocessing { get }
    /// The feature maps at every tap up to and including `upTo` (all taps when nil), keyed by
    /// tap name. Computation stops after the last tap asked for.
    ///
    /// Runs with gradients recorded when `input` is watched by a `GradientTape` (so that
    /// d score / d input and d score / d feature map can be asked for), in inference mode otherwise.
    /// - Throws: ``BackboneError`` for an unknown tap name; `TensorError` when `input` is not
    ///   `[N, 3, H, W]`.
    func features(_ input: Tensor, upTo: String?) throws -> [String: Tensor]
}

extension Backbone {
    /// The feature maps at every tap.
    public func features(_ input: Tensor) throws -> [String: Tensor] { try features(input, upTo: nil) }

    /// The tap with this name, if the backbone has one.
    public func tap(named name: String) -> FeatureTap? { taps.first { $0.name == name } }
}

/// One named feature map of a backbone: its channel count and its stride (input pixels per
/// feature-map pixel along each axis).
public struct FeatureTap: Sendable, Hashable, Codable {
    /// The name detectors ask for, e.g. `"stage2"`.
    public var name: String
    /// Channels of the feature map.
    public var channels: Int
    /// Input pixels per feature-map pixel along each axis (4, 8, 16, 32).
    public var stride: Int

    public init(name: String, channels: Int, stride: Int) {
        self.name = name
        self.channels = channels
        self.stride = stride
    }
}

/// A backbone was asked for something it does not have.
public struct BackboneError: StatusReportingError, CustomStringConvertible, Sendable {
    /// An unknown backbone or tap is a wrong request.
    public var exitStatus: ExitStatus { .usage }

    public let description: String
    public init(_ description: String) { self.description = description }

    static func unknownTap(_ name: String, in taps: [FeatureTap]) -> BackboneError {
        BackboneError("no feature tap named \"\(name)\"; this backbone has \(taps.map(\.name).joined(separator: ", "))")
    }
}
