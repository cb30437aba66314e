import XADDetect
import XADModels
import XADTensor

/// The model-parameter randomisation sanity check (Adebayo et al. 2018; Quantus `MPRT`): an
/// explanation that depends on what the model learned must change when the model's weights are
/// replaced by random ones.
///
/// ``ModelRandomisation`` rebuilds a detector on backbones randomised cumulatively from the top;
/// this measure takes the explanation of the original model and those of the randomised models
/// and returns Spearman's rank correlation of each with the original. Values near 1 mean the
/// method ignores the model; they should fall towards 0.
///
/// ```swift
/// let correlations = try Randomisation.rankCorrelations(original: map, randomised: [mapTop, mapTopTwo])
/// ```
public enum Randomisation {
    /// Spearman's rank correlation between `original` and each of `randomised` (same shape),
    /// over all pixels, with the absolute values of the maps when `absolute` (Quantus' default).
    ///
    /// A randomised map that is constant (e.g. a Grad-CAM whose gradients all vanished) keeps
    /// none of the original's ranking and counts as 0; a constant original has no ranking to
    /// keep and throws ``QualityError``.
    public static func rankCorrelations(original: Tensor, randomised: [Tensor], absolute: Bool = true) throws -> [Double] {
        let reference = original.scalars.map { Double(absolute ? abs($0) : $0) }
        guard let first = reference.first, reference.contains(where: { $0 != first }) else {
            throw QualityError("the original explanation is constant: it has no ranking to compare")
        }
        return try randomised.map { map in
            guard map.shape == original.shape else {
                throw QualityError("a randomised-model explanation \(map.shape) does not match the original \(original.shape)")
            }
            let values = map.scalars.map { Double(absolute ? abs($0) : $0) }
            guard let first = values.first, values.contains(where: { $0 != first }) else { return 0 }
            return try Correlation.spearman(reference, values)
        }
    }
}

/// The detectors of the randomisation cascade: the same fitted detector (its statistics or
/// memory bank unchanged) on backbones whose layers are randomised cumulatively from the deepest
/// tap it reads downwards (`Backbones.randomisedCascade(_:over:levels:seed:weightsPath:)`).
///
/// ```swift
/// let cascade = try ModelRandomisation(levels: 2).detectors(for: model)
/// cascade[0].randomisedTaps     // ["stage2"]; cascade[1]: ["stage2", "stage1"]
/// ```
public struct ModelRandomisation: Sendable {
    /// How many levels (taps, counted from the deepest the detector reads); fewer when the
    /// backbone runs out of taps. Default 3.
    public var levels: Int
    /// The seed of the random weights. Default 0.
    public var seed: UInt64
    /// The pretrained weights to start from (default: the installed ones).
    public var weightsPath: String?

    public init(levels: Int = 3, seed: UInt64 = 0, weightsPath: String? = nil) {
        self.levels = levels
        self.seed = seed
        self.weightsPath = weightsPath
    }

    /// One level of the cascade.
    public struct Level: Sendable {
        /// The randomised taps, deepest first.
        public var randomisedTaps: [String]
        /// The detector on that backbone.
        public var detector: any AnomalyDetector
    }

    /// `detector` rebuilt on each level's backbone, shallowest randomisation first.
    /// - Throws: `BackboneError` or `WeightError` when the backbone cannot be randomised, or
    ///   the detector's own error when it cannot be restored on the new backbone.
    public func detectors(for detector: any AnomalyDetector) throws -> [Level] {
        let setup = detector.setup
        return try Backbones.randomisedCascade(setup.backbone, over: setup.layers, levels: levels, seed: seed,
                                               weightsPath: weightsPath).map { level in
            Level(randomisedTaps: level.randomisedTaps, detector: try Self.rebuilt(detector, on: level.backbone))
        }
    }

    private static func rebuilt<D: AnomalyDetector>(_ detector: D, on backbone: any Backbone) throws -> D {
        try D(restoring: detector.fittedTensors, setup: detector.setup, options: detector.options, backbone: backbone)
    }
}
