import XADImage
import XADModels
import XADTensor

/// FastFlow (Yu et al., "FastFlow: Unsupervised Anomaly Detection and Localization via 2D
/// Normalizing Flows", 2021): per scale of a frozen backbone, a 2D normalizing flow maps the
/// layer-normalised feature map to `z` with a standard normal likelihood; positions the flow
/// finds unlikely are anomalous.
///
/// Map (anomalib's `AnomalyMapGenerator`): per scale `-exp(-0.5 · mean_c z²)` (minus the
/// likelihood of each position, up to a constant, in 0...1), upsampled bilinearly to the input
/// and averaged over scales; the image score is the map's maximum. The flows train on features
/// computed once (the backbone is frozen), not every epoch. See `FastFlowNetwork` and
/// `AffineCouplingBlock`.
public struct FastFlow: AnomalyDetector {
    /// FastFlow's options, saved inside every model. Defaults are anomalib 2.7's, except `epochs`.
    public struct Options: MethodOptions {
        /// Coupling blocks per scale. Default 8.
        public var steps = 8
        /// Hidden channels of each subnet, relative to its input channels. Default 1.
        public var hiddenRatio: Float = 1
        /// Only 3x3 subnets (otherwise 3x3 and 1x1 alternate). Default false.
        public var conv3x3Only = false
        /// Bound of each coupling's log-scale. Default 2.
        public var clamp: Float = 2
        /// Passes over the training images. Default 20: enough for the tests' tiny sets; MTD
        /// needs more (see the README).
        public var epochs = 20
        /// Images per step. Default 32.
        public var batchSize = 32
        /// Adam's learning rate. Default 0.001.
        public var learningRate: Float = 1e-3
        /// L2 weight decay. Default 0.00001.
        public var weightDecay: Float = 1e-5
        /// Images per backbone batch while extracting features. Default 16.
        public var featureBatchSize = 16

        public init() {}

        public static let help = [
            OptionHelp("steps", "coupling blocks per scale"),
            OptionHelp("hiddenRatio", "hidden channels of each subnet relative to its input channels"),
            OptionHelp("conv3x3Only", "only 3x3 subnets (otherwise 3x3 and 1x1 alternate)"),
            OptionHelp("clamp", "bound of each coupling's log-scale"),
            OptionHelp("epochs", "passes over the training images (the default suits tiny sets; MTD needs more)"),
            OptionHelp("batchSize", "images per optimiser step"),
            OptionHelp("learningRate", "Adam's learning rate"),
            OptionHelp("weightDecay", "L2 weight decay"),
            OptionHelp("featureBatchSize", "images per backbone batch while extracting features"),
        ]

        /// The training part of the options: Adam at a constant rate, no clipping (anomalib's).
        var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: .adam,
                         weightDecay: weightDecay)
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard steps >= 1 else { throw fail("steps must be at least 1, got \(steps)") }
            guard hiddenRatio > 0, hiddenRatio.isFinite else { throw fail("hiddenRatio must be positive, got \(hiddenRatio)") }
            guard clamp > 0, clamp.isFinite else { throw fail("clamp must be positive, got \(clamp)") }
            guard featureBatchSize >= 1 else { throw fail("featureBatchSize must be at least 1, got \(featureBatchSize)") }
            try plan.validate(method: method)
        }
    }

    public static let name = "fastflow"
    public static let summary = "2D normalizing flows over frozen multi-scale features; negative likelihood map"
    /// anomalib's CNN scales: timm `features_only` indices 1, 2, 3 (strides 4, 8, 16).
    public static let defaultLayers = ["stage1", "stage2", "stage3"]
    public static let traits = DetectorTraits(needsBackbone: true, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let extractor: FeatureExtractor
    let network: FastFlowNetwork

    public static func fit(_ context: FitContext, options: Options) throws -> FastFlow {
        try options.validate(method: name)
        let extractor = try FeatureExtractor(backbone: try context.requireBackbone(for: name), layers: context.setup.layers,
                                             upsampling: .bilinear)
        let (samples, shapes) = try packedFeatures(of: context.images, extractor: extractor, context: context, options: options)
        let validation = try context.validation.flatMap {
            $0.count > 0 ? try packedFeatures(of: $0, extractor: extractor, context: context, options: options).rows : nil
        }
        let initial = try freshNetwork(shapes: shapes, options: options, seed: context.training.seed)
        let loop = TrainingLoop(detector: name, plan: options.plan, settings: context.training, progress: context.progress)
        let outcome = try loop.run(initial, samples: samples, validation: validation)
        return FastFlow(setup: context.setup, options: options, trainingRecord: outcome.record, extractor: extractor,
                        network: outcome.model)
    }

    /// The frozen backbone's maps of every image, packed one image per row, and their shapes.
    private static func packedFeatures(of images: some ImageSource, extractor: FeatureExtractor, context: FitContext,
                                       options: Options) throws -> (rows: Tensor, shapes: [[Int]]) {
        var rows: [Tensor] = []
        var shapes: [[Int]] = []
        try images.forEachPreparedBatch(size: options.featureBatchSize, preprocessing: context.setup.preprocessing,
                                        progress: context.progress) { batch, _ in
            let maps = try scaleMaps(extractor.tapMaps(batch), layers: extractor.layers)
            shapes = maps.map { Array($0.shape.dropFirst()) }
            rows.append(try FastFlowNetwork.packed(maps))
        }
        return (try Tensor.concatenate(rows, axis: 0), shapes)
    }

    /// An untrained network of the options' architecture for feature maps of `shapes`.
    private static func freshNetwork(shapes: [[Int]], options: Options, seed: UInt64) throws -> FastFlowNetwork {
        var generator = SeededGenerator(seed: seed)
        return try FastFlowNetwork(shapes: shapes, steps: options.steps, hiddenRatio: options.hiddenRatio, clamp: options.clamp,
                                   conv3x3Only: options.conv3x3Only, generator: &generator)
    }

    /// The maps of `layers`, in order, from the backbone's maps by tap name.
    static func scaleMaps(_ maps: [String: Tensor], layers: [String]) throws -> [Tensor] {
        try layers.map { layer in
            guard let map = maps[layer] else { throw DetectorError.invalidOption("the backbone returned no map for \(layer)") }
            return map
        }
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, extractor: FeatureExtractor,
                 network: FastFlowNetwork) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.extractor = extractor
        self.network = network
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let maps = try differentiableForward(batch: batch.detached).map
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        let grid = Size2(height: network.shapes[0][1], width: network.shapes[0][2])
        return try (0..<count).map { n in
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([height, width])
            guard let score = try map.max().scalar, score.isFinite else {
                throw DetectorError.numericalFailure("FastFlow's likelihood map is not finite for image \(n)")
            }
            let patchScores = try map.reshaped([1, 1, height, width]).resized(to: grid, mode: .bilinear)
                .reshaped([grid.height, grid.width])
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: extractor.layers, grid: grid, patchScores: patchScores))
        }
    }

    public var fittedTensors: [String: Tensor] { network.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        guard let backbone else { throw DetectorError.missingRequirement("a FastFlow model needs its backbone \(setup.backbone)") }
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .bilinear)
        let shapes = try extractor.layers.indices.map { scale in
            guard let weight = tensors["norms.\(scale).weight"], weight.rank == 3 else {
                throw DetectorError.invalidInput("the saved FastFlow model has no norm 'norms.\(scale).weight' of rank 3")
            }
            return weight.shape
        }
        var network = try Self.freshNetwork(shapes: shapes, options: options, seed: 0)
        do { try network.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved FastFlow model's tensors do not fit its options: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, extractor: extractor, network: network)
    }
}
