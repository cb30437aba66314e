import XADDetect
import XADModels
import XADTensor

/// Score-CAM (Wang et al. 2020), gradient-free: each channel `A_k` of a backbone tap, upsampled
/// (bilinear) to the model's input and min-max scaled to [0, 1], masks the prepared input; the
/// detector scores each masked input and `w = softmax_k(t(x ⊙ A_k))`; the map is
/// `relu(Σ_k w_k A_k)`, resized and scaled like Grad-CAM's.
///
/// Works for any detector that scores: activations come from `DifferentiableDetector`'s
/// forward pass, or, for other detectors, from `backbone` (which must then be the detector's).
/// Unlike pytorch-grad-cam, whose upsampling aligns corners, the masks use the half-pixel
/// bilinear resampling of the rest of XADKit.
public struct ScoreCAM: Explainer {
    /// Score-CAM's options.
    public struct Options: MethodOptions {
        /// The backbone tap, e.g. `"stage3"`; nil (the default) takes the coarsest of the
        /// detector's layers.
        public var layer: String?
        /// Masked inputs scored per batch. Default 16.
        public var batchSize = 16

        public init() {}

        public static let help = [OptionHelp("layer", "backbone tap, e.g. stage3 (none: the coarsest of the detector's layers)"),
                                  OptionHelp("batchSize", "masked inputs scored per batch")]

        public func validate(method: String) throws {
            guard batchSize >= 1 else { throw OptionError.invalidValue(method: method, message: "batchSize must be at least 1, got \(batchSize)") }
        }
    }

    public static let name = "score-cam"
    public static let summary = "Masks the input with each upsampled channel of a backbone tap and weights the channels by the softmax of the masked scores (no gradients)."

    public var options: Options
    /// The backbone giving activations for detectors that are not differentiable (it must be
    /// the detector's own). Default none.
    public var backbone: (any Backbone)?

    public init(options: Options) {
        self.options = options
        backbone = nil
    }

    /// Score-CAM at `layer` (nil: the coarsest of the detector's layers).
    public init(layer: String? = nil, batchSize: Int = 16, backbone: (any Backbone)? = nil) {
        options = Options()
        options.layer = layer
        options.batchSize = batchSize
        self.backbone = backbone
    }

    /// Activations: from a differentiable detector's forward pass, else from ``backbone``.
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        guard !(detector is any DifferentiableDetector), backbone == nil else { return nil }
        return "it needs the backbone's activations: the \(type(of: detector).name) detector does not expose them, so pass its backbone (ScoreCAM.backbone)"
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let batchSize = options.batchSize
        let input = try detector.setup.preprocessing(image)
        let (tap, activation) = try activations(of: detector, input: input)
        let (channels, inputSize) = (activation.shape[1], input.imageSize)
        let masks = try activation.resized(to: inputSize, mode: .bilinear)
        let lowest = try masks.min(axes: [2, 3], keepingDimensions: true)
        let scaled = try (masks - lowest) / (try masks.max(axes: [2, 3], keepingDimensions: true) - lowest + 1e-8)
        var scores: [Float] = []
        var first = 0
        while first < channels {
            let last = Swift.min(first + Swift.max(batchSize, 1), channels)
            let channelMasks = try scaled.sliced(axis: 1, range: first..<last).permuted([1, 0, 2, 3])   // [B, 1, h, w]
            let results = try detector.score(batch: try input * channelMasks)
            let maps = try Tensor.concatenate(results.map { try $0.map.unsqueezed(axis: 0) }, axis: 0)
            scores += try target.values(of: maps, at: image.imageSize).scalars
            first = last
        }
        let weights = try Tensor(shape: [1, channels], scalars: scores).softmax(axis: 1)
        let map = try ClassActivationMap.weightedSum(activation, weights: weights)
        let value = try target.values(of: try detector.score(batch: input)[0].map.unsqueezed(axis: 0), at: image.imageSize)
        return Explanation(method: Self.name, map: try ClassActivationMap.scaledMap(map, to: image.imageSize), target: target,
                           targetValue: value.scalars[0], options: ["layer": tap, "batchSize": "\(batchSize)"])
    }

    /// The chosen tap's name and activation `[1, K, h, w]` on the prepared input.
    private func activations(of detector: any AnomalyDetector, input: Tensor) throws -> (String, Tensor) {
        let layer = options.layer
        let maps: [String: Tensor]
        if let differentiable = detector as? any DifferentiableDetector {
            maps = try differentiable.differentiableForward(batch: input).activations
        } else if let backbone {
            maps = try backbone.features(input, upTo: layer)
        } else {
            throw ExplainerError.notApplicable(method: Self.name, reason: unmetNeeds(of: detector) ?? "")
        }
        let candidates = layer.map { [$0] } ?? detector.setup.layers
        guard let chosen = candidates.compactMap({ name in maps[name].map { (name, $0) } })
            .min(by: { $0.1.shape[2] * $0.1.shape[3] < $1.1.shape[2] * $1.1.shape[3] }) else {
            let among = maps.keys.sorted().joined(separator: ", ")
            guard let layer else {
                throw ExplainerError.notApplicable(method: Self.name, reason: "none of the detector's layers \(detector.setup.layers) is among the activations \(among)")
            }
            throw ExplainerError.invalidOption("score-cam: no backbone tap '\(layer)' among \(among)")
        }
        return chosen
    }
}
