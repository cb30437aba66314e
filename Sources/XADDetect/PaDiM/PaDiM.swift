import XADImage
import XADModels
import XADTensor

/// PaDiM (Defard et al., "PaDiM: a Patch Distribution Modeling Framework for Anomaly Detection
/// and Localization", ICPR 2021): a Gaussian per patch position over pretrained features; a
/// test patch's anomaly score is its Mahalanobis distance to that position's Gaussian.
///
/// Features of the chosen layers are resampled (nearest) to the finest layer's grid and
/// concatenated; a seeded random subset of `channels` of them is kept. The map is upsampled to
/// the input (bilinear), smoothed by a Gaussian of `sigma` pixels; the image score is its max.
public struct PaDiM: AnomalyDetector {
    /// PaDiM's options, saved inside every model.
    public struct Options: MethodOptions {
        /// How many feature channels to keep (a seeded random subset). Default 100.
        public var channels: Int = 100
        /// The seed of the channel subset. Default 0.
        public var seed: UInt64 = 0
        /// ε added to each covariance's diagonal. Default 0.01 (the paper's value).
        public var regularisation: Float = 0.01
        /// The smoothing of the map, in input pixels. Default 4.
        public var sigma: Float = 4
        /// Images per backbone batch while fitting. Default 16.
        public var batchSize: Int = 16

        public init() {}

        public static let help = [
            OptionHelp("channels", "feature channels kept (a seeded random subset)"),
            OptionHelp("seed", "seed of the channel subset"),
            OptionHelp("regularisation", "epsilon added to each covariance's diagonal"),
            OptionHelp("sigma", "smoothing of the map, in input pixels"),
            OptionHelp("batchSize", "images per backbone batch while fitting"),
        ]

        public func validate(method: String) throws {
            guard channels > 0 else { throw OptionError.invalidValue(method: method, message: "channels must be at least 1, got \(channels)") }
            guard batchSize > 0 else { throw OptionError.invalidValue(method: method, message: "batchSize must be at least 1, got \(batchSize)") }
        }
    }

    public static let name = "padim"
    public static let summary = "Gaussian per patch position over pretrained features; Mahalanobis distance map"
    /// The layers of anomalib's EfficientNet configuration (timm blocks 1, 2, 4).
    public static let defaultLayers = ["stage1", "stage2", "stage3"]

    public let setup: DetectorSetup
    public let options: Options
    let extractor: FeatureExtractor
    let channelIndices: [Int]
    let statistics: GaussianStatistics
    let grid: Size2

    public static func fit(_ context: FitContext, options: Options) throws -> PaDiM {
        let (images, setup, progress) = (context.images, context.setup, context.progress)
        let backbone = try context.requireBackbone(for: name)
        try options.validate(method: name)
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .nearest)
        let indices = try selectChannels(options.channels, of: extractor.channels, seed: options.seed)
        var samples: Tensor?
        var grid = Size2(0)
        try images.forEachPreparedBatch(size: options.batchSize, preprocessing: setup.preprocessing, progress: progress) { batch, first in
            let features = try extractor(batch)
            grid = Size2(height: features.shape[2], width: features.shape[3])
            let rows = try FeatureExtractor.patchMajor(features, channels: indices)   // [B, P, D]
            // Written in place into images first..<first + B of the [P, N, D] samples.
            var filled = samples.take() ?? Tensor.zeros([rows.shape[1], images.count, rows.shape[2]])
            try filled.replace(at: [0, first, 0], with: rows.permuted([1, 0, 2]))
            samples = filled
        }
        guard let samples else { throw DetectorError.noTrainingImages }
        progress?("gaussians", 0, 1)
        let statistics = try GaussianStatistics.fit(samples: samples, regularisation: options.regularisation)
        progress?("gaussians", 1, 1)
        return PaDiM(setup: setup, options: options, extractor: extractor, channelIndices: indices,
                     statistics: statistics, grid: grid)
    }

    private init(setup: DetectorSetup, options: Options, extractor: FeatureExtractor, channelIndices: [Int],
                 statistics: GaussianStatistics, grid: Size2) {
        self.setup = setup
        self.options = options
        self.extractor = extractor
        self.channelIndices = channelIndices
        self.statistics = statistics
        self.grid = grid
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let features = try extractor(batch)
        let featureGrid = Size2(height: features.shape[2], width: features.shape[3])
        guard featureGrid == grid else {
            throw DetectorError.invalidInput("the input gives a \(featureGrid) patch grid but the model was fitted on \(grid)")
        }
        let distances = try statistics.distances(FeatureExtractor.patchMajor(features, channels: channelIndices))
        return try anomalyResults(patchScores: distances, batch: batch, grid: grid, sigma: options.sigma,
                                  layers: extractor.layers) { _, map in try map.max().scalar ?? 0 }
    }

    public var fittedTensors: [String: Tensor] {
        ["mean": statistics.mean, "inverse_covariance": statistics.inverseCovariance,
         "channel_indices": Tensor(shape: [channelIndices.count], fill: { out in
             for (i, index) in channelIndices.enumerated() { out[i] = Float(index) }
         }),
         "grid": grid.savedTensor]
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let backbone = try requiredBackbone(backbone, for: Self.name)
        func tensor(_ name: String) throws -> Tensor {
            guard let value = tensors[name] else { throw DetectorError.invalidInput("the saved PaDiM model has no tensor '\(name)'") }
            return value
        }
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .nearest)
        let mean = try tensor("mean"), inverse = try tensor("inverse_covariance")
        guard let indices = SavedIntegers.decode(try tensor("channel_indices").scalars, below: extractor.channels),
              let grid = Size2(saved: try tensor("grid")),
              mean.rank == 2, inverse.shape == [mean.shape[0], mean.shape[1], mean.shape[1]],
              indices.count == mean.shape[1], grid.height * grid.width == mean.shape[0] else {
            throw DetectorError.invalidInput("the saved PaDiM tensors do not fit together or do not fit the backbone's layers")
        }
        self.init(setup: setup, options: options, extractor: extractor, channelIndices: indices,
                  statistics: GaussianStatistics(mean: mean, inverseCovariance: inverse), grid: grid)
    }

    /// A seeded random subset of `count` channel indices out of `total`, sorted.
    static func selectChannels(_ count: Int, of total: Int, seed: UInt64) throws -> [Int] {
        guard count > 0 else { throw DetectorError.invalidOption("PaDiM needs at least one channel, got \(count)") }
        guard count < total else { return Array(0..<total) }
        var generator = SeededGenerator(seed: seed)
        var all = Array(0..<total)
        all.shuffle(using: &generator)
        return all.prefix(count).sorted()
    }
}
