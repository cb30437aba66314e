import XADDetect
import XADTensor

/// The detector's own anomaly map as the explanation: the autoencoder's residual, FastFlow's
/// likelihood map, PaDiM's Mahalanobis distances. What the model itself says, so `xad explain-eval`
/// can rate the built-in maps beside the post-hoc methods on the same images.
///
/// `map = detector.score(image).map`, scaled to 0...1 by its minimum and maximum when
/// `normalise` (a constant map stays as it is).
///
/// ```swift
/// let explanation = try DetectorMap().explain(model, image: image, target: .imageScore)
/// explanation.map   // [H, W]: the model's map at the image's size
/// ```
public struct DetectorMap: Explainer {
    /// The built-in map's options.
    public struct Options: MethodOptions {
        /// Scales the map to 0...1. Default true.
        public var normalise = true
        public init() {}
        public static let help = [OptionHelp("normalise", "scale the map to 0...1 by its minimum and maximum")]
    }

    public static let name = "anomaly-map"
    public static let summary = "Shows the detector's own anomaly map (reconstruction residual, likelihood, patch distance), scaled to 0...1: the built-in explanation."

    public var options: Options
    public init(options: Options) { self.options = options }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        let result = try detector.score(image: image)
        let value = try target.values(of: try result.map.unsqueezed(axis: 0)).scalars[0]
        var map = result.map
        if options.normalise, let low = try map.min().scalar, let high = try map.max().scalar, high > low {
            map = (map - low) / (high - low)
        }
        return Explanation(method: Self.name, map: map, target: target, targetValue: value)
    }
}
