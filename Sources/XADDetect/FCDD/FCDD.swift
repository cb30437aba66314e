import XADImage
import XADModels
import XADTensor

/// FCDD (Liznerski et al., "Explainable Deep One-Class Classification", ICLR 2021): a fully
/// convolutional one-class classifier whose output is its own explanation. A frozen backbone's
/// feature map goes through a trained head of 1x1 convolutions to `φ` (`[N, 1, h, w]`); the
/// pseudo-Huber `A = sqrt(φ² + 1) - 1` is near 0 where the image looks normal.
///
/// Trained with the hypersphere classifier loss (``HypersphereClassifierLoss``) on normal images
/// and synthetic anomalies made from them (``OutlierExposure``: FCDD's confetti noise, or
/// CutPaste); with `labelled` set, a few real anomalous images and their masks join at pixel
/// level (FCDD's semi-supervised mode). Map: `A` spread over the input by the receptive field's
/// Gaussian (``ReceptiveFieldUpsampling``); score: the mean of `A`.
public struct FCDD: AnomalyDetector, DifferentiableDetector {
    public static let name = "fcdd"
    public static let summary = "fully convolutional one-class classifier (HSC loss, outlier exposure); Gaussian receptive-field heat map"
    /// Stride 8 with a 67-pixel receptive field, as FCDD's VGG features for 224 x 224 images.
    public static let defaultLayers = ["stage2"]
    public static let traits = DetectorTraits(needsBackbone: true, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let backbone: any Backbone
    let head: FCDDHead

    public static func fit(_ context: FitContext, options: Options) throws -> FCDD {
        try options.validate(method: name)
        let backbone = try context.requireBackbone(for: name)
        let layer = try tapLayer(context.setup)
        let preprocessing = context.setup.preprocessing
        let upsampling = try ReceptiveFieldUpsampling.forTap(layer, of: backbone, receptiveField: options.receptiveField,
                                                             sigma: options.sigma)
        try upsampling.validate()
        let normals = try context.images.preparedTensor(preprocessing, progress: context.progress)
        var generator = SeededGenerator(seed: context.training.seed &+ 0xFCDD)
        let synthetic = try options.outlierExposure.make(from: normals, copies: options.anomaliesPerImage,
                                                         preprocessing: preprocessing, generator: &generator)
        let labelled = options.labelled.isEmpty ? nil : try LabelledAnomalies.load(list: options.labelled, preprocessing: preprocessing)

        let extract = { (images: Tensor) in try features(of: images, layer: layer, backbone: backbone, batchSize: options.featureBatchSize) }
        let normalFeatures = try extract(normals)
        let head = try FCDDHead(featureShape: Array(normalFeatures.shape.dropFirst()), hiddenChannels: options.hidden,
                                maskSize: labelled == nil ? nil : preprocessing.outputSize, upsampling: upsampling,
                                generator: &generator)
        var rows = [try head.packed(normalFeatures, label: 0, masks: nil),
                    try head.packed(extract(synthetic.images), label: 1, masks: synthetic.masks)]
        if let labelled { rows.append(try head.packed(extract(labelled.images), label: 1, masks: labelled.masks)) }
        let validation = try context.validation.flatMap { images in
            images.count > 0 ? try head.packed(extract(images.preparedTensor(preprocessing)), label: 0, masks: nil) : nil
        }
        let loop = TrainingLoop(detector: name, plan: options.plan, settings: context.training, progress: context.progress)
        let outcome = try loop.run(head, samples: Tensor.concatenate(rows, axis: 0), validation: validation)
        return FCDD(setup: context.setup, options: options, trainingRecord: outcome.record, backbone: backbone, head: outcome.model)
    }

    /// The one backbone tap FCDD reads.
    private static func tapLayer(_ setup: DetectorSetup) throws -> String {
        guard setup.layers.count == 1, let layer = setup.layers.first else {
            throw DetectorError.invalidOption("FCDD reads one backbone tap (e.g. --layers stage2), got \(setup.layers)")
        }
        return layer
    }

    /// The frozen backbone's map at `layer` for prepared `images`, `batchSize` images at a time.
    private static func features(of images: Tensor, layer: String, backbone: any Backbone, batchSize: Int) throws -> Tensor {
        let parts = try stride(from: 0, to: images.shape[0], by: batchSize).map { start in
            let batch = try images.sliced(axis: 0, range: start..<Swift.min(images.shape[0], start + batchSize))
            guard let map = try backbone.features(batch, upTo: layer)[layer] else {
                throw DetectorError.invalidOption("the backbone returned no map for \(layer)")
            }
            return map
        }
        return try Tensor.concatenate(parts, axis: 0)
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, backbone: any Backbone, head: FCDDHead) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.backbone = backbone
        self.head = head
    }

    /// The low-resolution scores `A` (`[N, 1, h, w]`), the heat map at the batch's size
    /// (`[N, H, W]`) and the backbone's map, recorded on a tape when `batch` is watched.
    private func forward(_ batch: Tensor) throws -> (scores: Tensor, map: Tensor, features: Tensor) {
        let layer = try Self.tapLayer(setup)
        guard let features = try backbone.features(batch, upTo: layer)[layer] else {
            throw DetectorError.invalidInput("the backbone returned no map for \(layer)")
        }
        guard features.shape[1] == head.featureShape[0] else {
            throw DetectorError.invalidInput("FCDD was trained on \(head.featureShape[0]) feature channels, this batch \(batch.shape) gives \(features.shape)")
        }
        let scores = try head.scores(features)
        let size = Size2(height: batch.shape[2], width: batch.shape[3])
        let map = try head.upsampling(scores, to: size).reshaped([batch.shape[0], size.height, size.width])
        return (scores, map, features)
    }

    /// FCDD's heat map `[N, H, W]` and the backbone's map at its tap.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let (_, map, features) = try forward(batch)
        return DifferentiableOutput(map: map, activations: [try Self.tapLayer(setup): features])
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let (scores, maps, _) = try forward(batch.detached)
        let grid = Size2(height: scores.shape[2], width: scores.shape[3])
        return try (0..<batch.shape[0]).map { n in
            let patchScores = try scores.sliced(axis: 0, range: n..<(n + 1)).reshaped([grid.height, grid.width])
            guard let score = try patchScores.mean().scalar, score.isFinite else {
                throw DetectorError.numericalFailure("FCDD's output is not finite for image \(n)")
            }
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([maps.shape[1], maps.shape[2]])
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: setup.layers, grid: grid, patchScores: patchScores))
        }
    }

    public var fittedTensors: [String: Tensor] { head.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let backbone = try requiredBackbone(backbone, for: Self.name)
        let layer = try Self.tapLayer(setup)
        guard let hidden = tensors["hidden.weight"], hidden.rank == 4 else {
            throw DetectorError.invalidInput("the saved FCDD model has no head 'hidden.weight' of rank 4")
        }
        let upsampling = try ReceptiveFieldUpsampling.forTap(layer, of: backbone, receptiveField: options.receptiveField,
                                                             sigma: options.sigma)
        var generator = SeededGenerator(seed: 0)
        // Only the channel count of the feature shape matters outside training.
        var head = try FCDDHead(featureShape: [hidden.shape[1], 0, 0], hiddenChannels: hidden.shape[0], maskSize: nil,
                                upsampling: upsampling, generator: &generator)
        do { try head.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved FCDD model's tensors do not fit its options: \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, backbone: backbone, head: head)
    }
}
