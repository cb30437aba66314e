import XADImage
import XADModels
import XADTensor

/// A convolutional variational autoencoder trained on normal images (Kingma and Welling, ICLR
/// 2014; as an anomaly detector, An and Cho 2015), with the latent attention map of Liu et al.,
/// "Towards Visually Explaining Variational Autoencoders", CVPR 2020.
///
/// Score: the negative evidence lower bound at the code's mean, `Σ_pixels (x - x̂)² + KL`
/// (reconstruction error plus the KL divergence of the code from the prior, `β` not applied).
/// Map (`map`): `residual`, the per-pixel squared residual `mean_c (x - x̂)²` smoothed by a
/// Gaussian of `sigma` pixels; or `attention`, Liu et al.'s Grad-CAM of the code's mean on the
/// encoder's last feature map (see `VAENetwork.latentAttention`), bilinearly upsampled.
///
/// ```swift
/// var options = VAE.Options()
/// options.map = .attention
/// let model = try VAE.fit(context, options: options)
/// ```
public struct VAE: AnomalyDetector, DifferentiableDetector {
    /// Which map the VAE returns.
    public enum MapKind: String, Codable, Sendable, CaseIterable {
        /// The squared reconstruction residual.
        case residual
        /// Liu et al.'s latent attention.
        case attention
    }

    /// The VAE's options, saved inside every model.
    public struct Options: MethodOptions {
        /// Channels of the first convolution (doubling at each further one). Default 16.
        public var width = 16
        /// Stride-2 convolutions down to the code's grid. Default 3.
        public var depth = 3
        /// Numbers in the code. Default 32.
        public var latent = 32
        /// The weight of the KL term in the training loss (1: the plain VAE; more: a β-VAE). Default 1.
        public var beta: Float = 1
        /// Passes over the training images. Default 20 (for tiny sets; use 100 or more on real data).
        public var epochs = 20
        /// Images per step. Default 16.
        public var batchSize = 16
        /// The base learning rate. Default 0.001.
        public var learningRate: Float = 1e-3
        /// `adam` or `adamw`. Default `adam`.
        public var optimiser: TrainingPlan.OptimiserKind = .adam
        /// Weight decay. Default 0.00001.
        public var weightDecay: Float = 1e-5
        /// `constant`, `cosine` or `step`. Default `cosine`.
        public var schedule: TrainingPlan.Schedule = .cosine
        /// Largest global gradient norm. Default 10 (the loss is a sum over pixels).
        public var clipNorm: Float? = 10
        /// Epochs without a lower validation loss before stopping. Default none.
        public var patience: Int?
        /// `residual` or `attention`. Default `residual`.
        public var map: MapKind = .residual
        /// Smoothing of the residual map, in pixels. Default 2.
        public var sigma: Float = 2

        public init() {}

        public static let help = [
            OptionHelp("width", "channels of the first convolution (doubling at each further one)"),
            OptionHelp("depth", "stride-2 convolutions down to the code's grid (the image size must be a multiple of 2^depth)"),
            OptionHelp("latent", "numbers in the Gaussian code"),
            OptionHelp("beta", "weight of the KL term in the training loss (1: plain VAE)"),
        ] + TrainingPlan.optionHelp + [
            OptionHelp("map", "anomaly map: residual (squared reconstruction residual) or attention (latent attention, Liu et al. 2020)"),
            OptionHelp("sigma", "smoothing of the residual map, in pixels"),
        ]

        /// The training part of the options.
        public var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: optimiser,
                         weightDecay: weightDecay, schedule: schedule, clipNorm: clipNorm, patience: patience)
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard width >= 1, latent >= 1 else { throw fail("width and latent must be at least 1, got \(width) and \(latent)") }
            guard (1...6).contains(depth) else { throw fail("depth must be 1 to 6, got \(depth)") }
            guard beta >= 0, beta.isFinite else { throw fail("beta must be 0 or more, got \(beta)") }
            guard sigma > 0, sigma.isFinite else { throw fail("sigma must be positive, got \(sigma)") }
            try plan.validate(method: method)
        }
    }

    public static let name = "vae"
    public static let summary = "convolutional variational autoencoder; score reconstruction + KL; residual or latent-attention map"
    /// Not backbone taps: the encoder's last feature map and the code's mean (`[N, latent, 1, 1]`).
    public static let defaultLayers = ["encoder"]
    public static let traits = DetectorTraits(needsBackbone: false, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let network: VAENetwork
    /// The channel count the network was trained on.
    let channels: Int

    public static func fit(_ context: FitContext, options: Options) throws -> VAE {
        try options.validate(method: name)
        let preprocessing = context.setup.preprocessing
        let (outcome, channels) = try context.train(detector: name, plan: options.plan) { channels, generator in
            try VAENetwork(channels: channels, imageSize: preprocessing.outputSize, width: options.width,
                           depth: options.depth, latent: options.latent, beta: options.beta, generator: &generator)
        }
        return VAE(setup: context.setup, options: options, trainingRecord: outcome.record, network: outcome.model,
                   channels: channels)
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, network: VAENetwork, channels: Int) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.network = network
        self.channels = channels
    }

    /// The map of ``Options/map`` `[N, H, W]` and the scores `[N]` of a batch, recorded on a tape
    /// when `batch` is watched, with the activations `encoder` and `mean`.
    private func evaluate(_ batch: Tensor) throws -> (output: DifferentiableOutput, scores: Tensor) {
        let size = setup.preprocessing.outputSize
        try setup.checkPreparedBatch(batch, channels: channels, detector: "VAE")
        let pass = try network.forward(batch)
        let map: Tensor
        switch options.map {
        case .residual:
            let ssim = ReconstructionResidual.ssimSettings(for: setup.preprocessing)   // unused by l2
            map = try ReconstructionResidual.l2.map(batch, pass.reconstruction, ssim: ssim).gaussianBlur(sigma: options.sigma)
        case .attention:
            map = try network.latentAttention(features: pass.features).resized(to: size, mode: .bilinear)
        }
        let scores = try VAENetwork.reconstructionError(batch, pass.reconstruction)
            + VAENetwork.klDivergence(mean: pass.mean, logVariance: pass.logVariance)
        let output = DifferentiableOutput(map: try map.reshaped([batch.shape[0], size.height, size.width]),
                                          activations: ["encoder": pass.features, "mean": pass.mean])
        return (output, scores)
    }

    /// The map of ``Options/map`` `[N, H, W]`, with the activations `encoder` (the encoder's last
    /// feature map) and `mean` (the code's mean), all on the tape when `batch` is watched.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        try evaluate(batch).output
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let (output, scores) = try evaluate(batch.detached)
        let (count, height, width) = (output.map.shape[0], output.map.shape[1], output.map.shape[2])
        return try (0..<count).map { n in
            let score = scores.scalars[n]
            guard score.isFinite else { throw DetectorError.numericalFailure("the VAE's score is not finite for image \(n)") }
            let map = try output.map.sliced(axis: 0, range: n..<(n + 1)).reshaped([height, width])
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: [], grid: Size2(height: height, width: width), patchScores: map))
        }
    }

    public var fittedTensors: [String: Tensor] { network.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let channels = try DetectorSetup.trainedChannels(tensors, firstConvolution: "encoder.0.weight", detector: "VAE")
        var generator = SeededGenerator(seed: 0)
        var network = try VAENetwork(channels: channels, imageSize: setup.preprocessing.outputSize, width: options.width,
                                     depth: options.depth, latent: options.latent, beta: options.beta, generator: &generator)
        do { try network.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved VAE's tensors do not fit its options and image size: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, network: network, channels: channels)
    }
}
