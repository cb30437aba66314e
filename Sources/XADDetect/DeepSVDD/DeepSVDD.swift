import XADImage
import XADModels
import XADTensor

/// Deep SVDD (Ruff et al., "Deep One-Class Classification", ICML 2018), one-class form: a
/// network `φ` without bias terms is trained to map normal images close to a fixed centre `c`
/// (the mean of its initial outputs), minimising `mean ‖φ(x) - c‖²` plus weight decay.
///
/// Score: `‖φ(x) - c‖²`. Deep SVDD has no localisation: its map is the score at every pixel,
/// so gradient explainers (saliency, integrated gradients, Grad-CAM on the last convolutional
/// block, tap `features`) explain the score. No backbone; the network (`DeepSVDDNetwork`) sees
/// the preprocessed image, by default contrast-normalised and min-max scaled as in the paper
/// (`Options.preprocess`), and starts from the encoder of a pretrained autoencoder
/// (`Options.pretrain`).
public struct DeepSVDD: AnomalyDetector, DifferentiableDetector {
    /// Deep SVDD's options, saved inside every model.
    public struct Options: MethodOptions {
        /// How the network sees the prepared image.
        public enum InputScaling: String, Codable, Sendable, CaseIterable {
            /// The paper's: global contrast normalisation (L1), then min-max scaling with the
            /// extremes of the training images (saved in the model).
            case gcn
            /// The prepared image as it is.
            case none
        }

        /// How the network sees the prepared image. Default `gcn` (the paper's).
        public var preprocess = InputScaling.gcn
        /// Epochs of autoencoder pretraining of the weights (0: none); the same batch size,
        /// learning rate and schedule as Deep SVDD's. Default 20 (the paper pretrains 250).
        public var pretrain = 20
        /// L2 weight decay of the pretraining. Default 0.0005 (the paper's code, `ae_weight_decay`).
        public var pretrainWeightDecay: Float = 5e-4
        /// Numbers in the representation `φ(x)`. Default 32 (the paper's for MNIST).
        public var representation = 32
        /// Passes over the training images. Default 20 (the paper trains 150).
        public var epochs = 20
        /// Images per step. Default 200 (the paper's).
        public var batchSize = 200
        /// Adam's learning rate. Default 0.0001 (the paper's).
        public var learningRate: Float = 1e-4
        /// L2 weight decay λ. Default 0.0000005 (the paper's 0.5e-6).
        public var weightDecay: Float = 5e-7
        /// `constant`, `cosine` or `step` (the paper lowers the rate tenfold after a third). Default `step`.
        public var schedule: TrainingPlan.Schedule = .step
        /// Epochs without a lower validation loss before stopping (needs validation images). Default none.
        public var patience: Int?

        public init() {}

        public static let help = [
            OptionHelp("preprocess", "gcn (contrast normalisation and min-max scaling, the paper's) or none"),
            OptionHelp("pretrain", "epochs of autoencoder pretraining of the weights (0: none)"),
            OptionHelp("pretrainWeightDecay", "L2 weight decay of the pretraining"),
            OptionHelp("representation", "numbers in the representation phi(x)"),
        ]
            + TrainingPlan.optionHelp.filter { !["optimiser", "clipNorm"].contains($0.key) }

        /// The training part of the options: Adam, no clipping.
        var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: .adam,
                         weightDecay: weightDecay, schedule: schedule, patience: patience)
        }

        /// The pretraining's plan: Deep SVDD's with `pretrain` epochs, `pretrainWeightDecay` and no early stopping.
        var pretrainingPlan: TrainingPlan {
            TrainingPlan(epochs: pretrain, batchSize: batchSize, learningRate: learningRate, optimiser: .adam,
                         weightDecay: pretrainWeightDecay, schedule: schedule)
        }

        public func validate(method: String) throws {
            guard representation >= 1 else {
                throw OptionError.invalidValue(method: method, message: "representation must be at least 1, got \(representation)")
            }
            guard pretrain >= 0 else {
                throw OptionError.invalidValue(method: method, message: "pretrain must be 0 or more epochs, got \(pretrain)")
            }
            try plan.validate(method: method)
            if pretrain > 0 { try pretrainingPlan.validate(method: method) }
        }
    }

    public static let name = "deepsvdd"
    public static let summary = "Deep SVDD: a bias-free CNN trained to map normal images near a centre; distance score"
    /// Not backbone taps: the last convolutional block's map, exposed for Grad-CAM and friends.
    public static let defaultLayers = ["features"]
    public static let traits = DetectorTraits(needsBackbone: false, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let network: DeepSVDDNetwork
    /// The channel count the network was trained on.
    let channels: Int

    public static func fit(_ context: FitContext, options: Options) throws -> DeepSVDD {
        try options.validate(method: name)
        let preprocessing = context.setup.preprocessing
        let samples = try context.images.preparedTensor(preprocessing, progress: context.progress)
        let held = try context.validation.flatMap { $0.count > 0 ? try $0.preparedTensor(preprocessing) : nil }
        var generator = SeededGenerator(seed: context.training.seed)
        let scaling = options.preprocess == .gcn ? try ContrastScaling.fitted(to: samples) : nil
        var network = try DeepSVDDNetwork(channels: samples.shape[1], imageSize: preprocessing.outputSize,
                                          representation: options.representation, scaling: scaling, generator: &generator)
        // A resumed run restores every weight from the Deep SVDD checkpoint: pretraining would be lost work.
        if options.pretrain > 0, !context.training.resume {
            network = try DeepSVDDAutoencoder.pretrained(network, samples: samples, validation: held, plan: options.pretrainingPlan,
                                                         settings: context.training, progress: context.progress)
        }
        network.centre = try network.initialCentre(of: samples, batchSize: options.batchSize)
        let loop = TrainingLoop(detector: name, plan: options.plan, settings: context.training, progress: context.progress)
        let outcome = try loop.run(network, samples: samples, validation: held)
        return DeepSVDD(setup: context.setup, options: options, trainingRecord: outcome.record, network: outcome.model,
                        channels: samples.shape[1])
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, network: DeepSVDDNetwork, channels: Int) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.network = network
        self.channels = channels
    }

    /// The score `‖φ(x) - c‖²` at every pixel (`[N, H, W]`) and the last convolutional block's
    /// map, recorded on a tape when `batch` is watched.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        try setup.checkPreparedBatch(batch, channels: channels, detector: "deepsvdd")
        let (features, representation) = try network.forward(batch)
        let distances = try network.distances(representation).reshaped([batch.shape[0], 1, 1])
        let map = try distances * Tensor.ones([1, batch.shape[2], batch.shape[3]])
        return DifferentiableOutput(map: map, activations: ["features": features])
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        try setup.checkPreparedBatch(batch, channels: channels, detector: "deepsvdd")
        let distances = try network.distances(network.forward(batch.detached).representation).scalars
        let size = Size2(height: batch.shape[2], width: batch.shape[3])
        return try distances.enumerated().map { n, distance in
            guard distance.isFinite else { throw DetectorError.numericalFailure("Deep SVDD's distance is not finite for image \(n)") }
            let map = Tensor(shape: [size.height, size.width], repeating: distance)
            return AnomalyResult(score: distance, map: map,
                                 provenance: Provenance(layers: [], grid: Size2(1), patchScores: Tensor(shape: [1, 1], repeating: distance)))
        }
    }

    public var fittedTensors: [String: Tensor] { network.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let channels = try DetectorSetup.trainedChannels(tensors, firstConvolution: "conv1.weight", detector: "deepsvdd")
        var generator = SeededGenerator(seed: 0)
        var network = try DeepSVDDNetwork(channels: channels, imageSize: setup.preprocessing.outputSize,
                                          representation: options.representation,
                                          scaling: options.preprocess == .gcn ? ContrastScaling() : nil, generator: &generator)
        do { try network.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved Deep SVDD model's tensors do not fit its options and image size: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, network: network, channels: channels)
    }
}
