import XADImage
import XADModels
import XADTensor

/// A convolutional autoencoder trained on normal images only (the L2 autoencoder of Bergmann et
/// al., "Improving Unsupervised Defect Segmentation by Applying Structural Similarity to
/// Autoencoders", VISAPP 2019): what it cannot reconstruct is anomalous.
///
/// Map: the per-pixel squared residual `mean_c (x - x̂)²` of the prepared image (or, with
/// `map = ssim`, `1 - SSIM(x, x̂)`, Bergmann et al.'s SSIM autoencoder), smoothed by a
/// Gaussian of `sigma` pixels. Score: the mean of the map's largest `topFraction` of pixels
/// (1: the image's mean squared error; a tiny fraction: its maximum). No backbone; the input is
/// the preprocessed image at the preprocessing size (64 or 128 suit it), gray or RGB.
public struct AutoEncoder: AnomalyDetector, DifferentiableDetector {
    /// The autoencoder's options, saved inside every model.
    public struct Options: MethodOptions {
        /// Channels of the first convolution (doubling at each further one). Default 16.
        public var width = 16
        /// Stride-2 convolutions down to the bottleneck. Default 3.
        public var depth = 3
        /// Numbers in the bottleneck (the code). Default 64.
        public var latent = 64
        /// Passes over the training images. Default 20: enough for the small synthetic sets of
        /// the tests, not for real data (set 100 or more there).
        public var epochs = 20
        /// Images per step. Default 16.
        public var batchSize = 16
        /// Adam's base learning rate. Default 0.001.
        public var learningRate: Float = 1e-3
        /// `adam` or `adamw`. Default `adam`.
        public var optimiser: TrainingPlan.OptimiserKind = .adam
        /// Weight decay. Default 0.00001.
        public var weightDecay: Float = 1e-5
        /// `constant`, `cosine` or `step`. Default `cosine`.
        public var schedule: TrainingPlan.Schedule = .cosine
        /// Largest global gradient norm. Default 1.
        public var clipNorm: Float? = 1
        /// Epochs without a lower validation loss before stopping (needs validation images).
        /// Default none.
        public var patience: Int?
        /// Smoothing of the residual map, in pixels. Default 2.
        public var sigma: Float = 2
        /// The fraction of largest map pixels averaged into the score. Default 0.01.
        public var topFraction: Float = 0.01

        /// The training loss: `l2` (mean squared error) or `ssim` (1 - SSIM, the SSIM-AE). Default `l2`.
        public var loss: ReconstructionResidual = .l2
        /// The anomaly map: `l2` (squared residual) or `ssim` (1 - SSIM map). Default `l2`.
        public var map: ReconstructionResidual = .l2
        /// Random horizontal and vertical flips of the training images (Bergmann et al. augment
        /// textures so). Default false.
        public var flips = false
        /// Random shifts of the training images by up to this many pixels (a crop of the
        /// reflect-padded image). Default 0.
        public var cropPadding = 0
        /// Brightness and contrast jitter of the training images (see `Augmentation`). Default 0.
        public var jitter: Float = 0

        public init() {}

        public static let help = [
            OptionHelp("width", "channels of the first convolution (doubling at each further one)"),
            OptionHelp("depth", "stride-2 convolutions down to the bottleneck (the image size must be a multiple of 2^depth)"),
            OptionHelp("latent", "numbers in the bottleneck code"),
        ] + TrainingPlan.optionHelp + [
            OptionHelp("sigma", "smoothing of the residual map, in pixels"),
            OptionHelp("topFraction", "fraction of the largest map pixels averaged into the score (1: mean, tiny: max)"),
            OptionHelp("loss", "training loss: l2 (mean squared error) or ssim (1 - SSIM, Bergmann et al.'s SSIM autoencoder)"),
            OptionHelp("map", "anomaly map: l2 (squared residual) or ssim (1 - SSIM map)"),
            OptionHelp("flips", "augmentation: random horizontal and vertical flips of the training images"),
            OptionHelp("cropPadding", "augmentation: random shifts of the training images by up to this many pixels"),
            OptionHelp("jitter", "augmentation: brightness and contrast jitter amplitude (normalised units)"),
        ]

        /// The training part of the options.
        public var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: optimiser,
                         weightDecay: weightDecay, schedule: schedule, clipNorm: clipNorm, patience: patience,
                         augmentation: Augmentation(horizontalFlip: flips, verticalFlip: flips, cropPadding: cropPadding, jitter: jitter))
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard width >= 1, latent >= 1 else { throw fail("width and latent must be at least 1, got \(width) and \(latent)") }
            guard (1...6).contains(depth) else { throw fail("depth must be 1 to 6, got \(depth)") }
            guard sigma > 0, sigma.isFinite else { throw fail("sigma must be positive, got \(sigma)") }
            guard topFraction > 0, topFraction <= 1 else { throw fail("topFraction must be in (0, 1], got \(topFraction)") }
            try plan.validate(method: method)
        }
    }

    public static let name = "autoencoder"
    public static let aliases = ["ae"]
    public static let summary = "convolutional autoencoder trained on normal images; squared reconstruction residual map"
    /// Not backbone taps: the encoder's last feature map, exposed for Grad-CAM and friends.
    public static let defaultLayers = ["encoder"]
    public static let traits = DetectorTraits(needsBackbone: false, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let network: AutoEncoderNetwork
    /// The channel count the network was trained on.
    let channels: Int

    public static func fit(_ context: FitContext, options: Options) throws -> AutoEncoder {
        try options.validate(method: name)
        let preprocessing = context.setup.preprocessing
        let (outcome, channels) = try context.train(detector: name, plan: options.plan) { channels, generator in
            try AutoEncoderNetwork(channels: channels, imageSize: preprocessing.outputSize, width: options.width,
                                   depth: options.depth, latent: options.latent, loss: options.loss,
                                   ssim: ReconstructionResidual.ssimSettings(for: preprocessing), generator: &generator)
        }
        return AutoEncoder(setup: context.setup, options: options, trainingRecord: outcome.record,
                           network: outcome.model, channels: channels)
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, network: AutoEncoderNetwork,
                 channels: Int) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.network = network
        self.channels = channels
    }

    /// The smoothed residual map `[N, H, W]` and the encoder's features, recorded on a tape when
    /// `batch` is watched.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let size = setup.preprocessing.outputSize
        try setup.checkPreparedBatch(batch, channels: channels, detector: "autoencoder")
        let (features, reconstruction) = try network.forward(batch)
        let residual = try options.map.map(batch, reconstruction, ssim: ReconstructionResidual.ssimSettings(for: setup.preprocessing))
        let map = try residual.gaussianBlur(sigma: options.sigma).reshaped([batch.shape[0], size.height, size.width])
        return DifferentiableOutput(map: map, activations: ["encoder": features])
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let maps = try differentiableForward(batch: batch.detached).map
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        let pixels = height * width
        let top = Swift.max(1, Int((options.topFraction * Float(pixels)).rounded()))
        return try (0..<count).map { n in
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([height, width])
            let largest = map.scalars.sorted(by: >).prefix(top)
            let score = Float(largest.reduce(0.0) { $0 + Double($1) } / Double(top))
            guard score.isFinite else { throw DetectorError.numericalFailure("the autoencoder's residual is not finite for image \(n)") }
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: [], grid: Size2(height: height, width: width), patchScores: map))
        }
    }

    public var fittedTensors: [String: Tensor] { network.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let channels = try DetectorSetup.trainedChannels(tensors, firstConvolution: "encoder.0.weight", detector: "autoencoder")
        var generator = SeededGenerator(seed: 0)
        var network = try AutoEncoderNetwork(channels: channels, imageSize: setup.preprocessing.outputSize,
                                             width: options.width, depth: options.depth, latent: options.latent,
                                             generator: &generator)
        do { try network.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved autoencoder's tensors do not fit its options and image size: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, network: network, channels: channels)
    }
}
