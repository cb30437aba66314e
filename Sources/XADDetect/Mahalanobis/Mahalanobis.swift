import XADImage
import XADModels
import XADTensor

/// Mahalanobis distance with input pre-processing (Lee, Lee, Lee, Shin, "A Simple Unified
/// Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks", NeurIPS 2018,
/// building on ODIN: Liang, Li, Srikant, ICLR 2018), class-free: one Gaussian per tap of the
/// globally average-pooled backbone features of the normal images (Ledoit-Wolf shrinkage,
/// `ShrunkGaussian`), the scores of the taps summed (`PooledMahalanobisScore`).
///
/// Each image is first moved a step `ε` along the sign of the gradient that lowers its score,
/// `x' = x - ε · sign(∇ₓ s(x))`, and scored as `s(x')`: normal images, near the Gaussians, fall
/// further than anomalous ones. `ε` is chosen from a grid on held-out normal images, without
/// anomalies: the one with the lowest mean held-out score (the largest drop; the criterion of
/// Hsu et al., "Generalized ODIN", CVPR 2020, which needs no outliers).
///
/// Image-level: the map is the explanation of the score (the normalised gradient magnitude
/// times the score, see `differentiableForward(batch:)`), not a localisation, so evaluations
/// report no pixel metrics for it.
///
/// ```swift
/// let model = try Mahalanobis.fit(context, options: Mahalanobis.Options())
/// model.epsilon                       // the chosen step
/// try model.score(image: image).score
/// ```
public struct Mahalanobis: AnomalyDetector {
    /// The Mahalanobis detector's options, saved inside every model.
    public struct Options: MethodOptions {
        /// The pre-processing step; none (the default): chosen from `epsilons` on held-out normals.
        public var epsilon: Float?
        /// The steps tried: Lee et al.'s grid up to 0.005. Default `[0, 0.0005, 0.001, 0.0014, 0.002, 0.005]`.
        public var epsilons: [Float] = [0, 0.0005, 0.001, 0.0014, 0.002, 0.005]
        /// The share of the training images held out to choose `epsilon` when the fit has no
        /// validation images (at least one image is held out). Default 0.2.
        public var heldOut: Float = 0.2
        /// Images per backbone batch while extracting features. Default 16.
        public var featureBatchSize = 16

        public init() {}

        public static let help = [
            OptionHelp("epsilon", "the input pre-processing step (none: chosen from epsilons on held-out normal images)"),
            OptionHelp("epsilons", "the steps tried when epsilon is none"),
            OptionHelp("heldOut", "share of the training images held out to choose epsilon (without validation images)"),
            OptionHelp("featureBatchSize", "images per backbone batch while extracting features"),
        ]

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            if let epsilon, !(epsilon >= 0 && epsilon.isFinite) { throw fail("epsilon must be 0 or more, got \(epsilon)") }
            guard !epsilons.isEmpty, epsilons.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw fail("epsilons must be one or more steps of 0 or more, got \(epsilons)")
            }
            guard heldOut > 0, heldOut < 1 else { throw fail("heldOut must be between 0 and 1, got \(heldOut)") }
            guard featureBatchSize >= 1 else { throw fail("featureBatchSize must be at least 1, got \(featureBatchSize)") }
        }
    }

    public static let name = "mahalanobis"
    public static let summary = "image-level Mahalanobis distance of pooled features with ODIN input pre-processing (Lee et al. 2018)"
    /// Every tap: Lee et al. combine the features at the end of every block group.
    public static let defaultLayers = ["stage1", "stage2", "stage3", "stage4"]
    public static let traits = DetectorTraits(needsBackbone: true, localises: false)

    public let setup: DetectorSetup
    public let options: Options
    /// The pre-processing step in use (the option, or the one chosen on held-out normals).
    public let epsilon: Float
    let scorer: PooledMahalanobisScore

    public static func fit(_ context: FitContext, options: Options) throws -> Mahalanobis {
        try options.validate(method: name)
        let backbone = try context.requireBackbone(for: name)
        let layers = try FeatureExtractor(backbone: backbone, layers: context.setup.layers, upsampling: .bilinear).layers
        let training = try pooledSamples(context.images, backbone: backbone, layers: layers, context: context, options: options)
        let epsilon: Float
        if let chosen = options.epsilon {
            epsilon = chosen
        } else {
            let (fitted, held) = try heldOutSplit(training, validation: context.validation.flatMap {
                $0.count > 0 ? try pooledSamples($0, backbone: backbone, layers: layers, context: context, options: options) : nil
            }, share: options.heldOut)
            let scorer = PooledMahalanobisScore(backbone: backbone, layers: layers, gaussians: try fitted.pooled.map(ShrunkGaussian.fit))
            epsilon = try chooseEpsilon(options.epsilons, scorer: scorer, heldOut: held.images, batchSize: options.featureBatchSize,
                                        progress: context.progress)
        }
        let scorer = PooledMahalanobisScore(backbone: backbone, layers: layers, gaussians: try training.pooled.map(ShrunkGaussian.fit))
        return Mahalanobis(setup: context.setup, options: options, epsilon: epsilon, scorer: scorer)
    }

    /// Prepared images and their pooled features per layer.
    struct PooledSamples {
        var images: Tensor
        var pooled: [Tensor]

        /// The samples `range`.
        func rows(_ range: Range<Int>) throws -> PooledSamples {
            PooledSamples(images: try images.sliced(axis: 0, range: range),
                          pooled: try pooled.map { try $0.sliced(axis: 0, range: range) })
        }
    }

    /// The samples to fit on and the held-out normal samples that choose epsilon: all training
    /// samples and the validation samples when there are any, else the training samples split,
    /// the last `share` of them held out.
    private static func heldOutSplit(_ training: PooledSamples, validation: PooledSamples?,
                                     share: Float) throws -> (fitted: PooledSamples, held: PooledSamples) {
        if let validation { return (training, validation) }
        let count = training.images.shape[0]
        let held = Swift.max(1, Int((Float(count) * share).rounded()))
        guard count - held >= 2 else {
            throw DetectorError.invalidInput("choosing epsilon holds out \(held) of \(count) training images, leaving fewer than 2 to fit on; give more images, validation images or a fixed epsilon")
        }
        return (try training.rows(0..<(count - held)), try training.rows((count - held)..<count))
    }

    private static func pooledSamples(_ images: some ImageSource, backbone: any Backbone, layers: [String], context: FitContext,
                                      options: Options) throws -> PooledSamples {
        let pooling = PooledMahalanobisScore(backbone: backbone, layers: layers, gaussians: [])
        var prepared: [Tensor] = []
        var pooled: [[Tensor]] = Array(repeating: [], count: layers.count)
        try images.forEachPreparedBatch(size: options.featureBatchSize, preprocessing: context.setup.preprocessing,
                                        progress: context.progress) { batch, _ in
            prepared.append(batch)
            for (index, features) in try pooling.pooledFeatures(batch).pooled.enumerated() { pooled[index].append(features) }
        }
        return PooledSamples(images: try Tensor.concatenate(prepared, axis: 0),
                             pooled: try pooled.map { try Tensor.concatenate($0, axis: 0) })
    }

    /// The step of `grid` with the lowest mean score of the held-out normal images after
    /// pre-processing (the first of equal ones).
    static func chooseEpsilon(_ grid: [Float], scorer: PooledMahalanobisScore, heldOut images: Tensor, batchSize: Int,
                              progress: FitProgress?) throws -> Float {
        var totals = [Double](repeating: 0, count: grid.count)
        let count = images.shape[0]
        for start in stride(from: 0, to: count, by: batchSize) {
            let batch = try images.sliced(axis: 0, range: start..<Swift.min(count, start + batchSize))
            let direction = try scorer.perturbation(batch).direction
            for (index, epsilon) in grid.enumerated() {
                totals[index] += try scorer.scores(try batch - direction * epsilon).scores.scalars.reduce(0) { $0 + Double($1) }
            }
            progress?("choosing epsilon on held-out normal images", Swift.min(count, start + batchSize), count)
        }
        let best = totals.indices.min { totals[$0] < totals[$1] } ?? 0
        return grid[best]
    }

    private init(setup: DetectorSetup, options: Options, epsilon: Float, scorer: PooledMahalanobisScore) {
        self.setup = setup
        self.options = options
        self.epsilon = epsilon
        self.scorer = scorer
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let maps = try differentiableForward(batch: batch.detached).map
        let (height, width) = (maps.shape[1], maps.shape[2])
        return try (0..<maps.shape[0]).map { n in
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([height, width])
            guard let score = try map.max().scalar, score.isFinite else {
                throw DetectorError.numericalFailure("the Mahalanobis score is not finite for image \(n)")
            }
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: scorer.layers, grid: Size2(1), patchScores: try Tensor(score).reshaped([1, 1])))
        }
    }

    public var fittedTensors: [String: Tensor] {
        var tensors = ["epsilon": Tensor(shape: [1]) { $0[0] = epsilon }]
        for (index, gaussian) in scorer.gaussians.enumerated() {
            tensors["gaussians.\(index).mean"] = gaussian.mean
            tensors["gaussians.\(index).precision"] = gaussian.precision
        }
        return tensors
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let backbone = try requiredBackbone(backbone, for: Self.name)
        let layers = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .bilinear).layers
        let gaussians = try layers.indices.map { index in
            guard let mean = tensors["gaussians.\(index).mean"], mean.rank == 1,
                  let precision = tensors["gaussians.\(index).precision"], precision.shape == [mean.count, mean.count] else {
                throw DetectorError.invalidInput("the saved Mahalanobis model has no Gaussian \(index) (mean [D], precision [D, D]) for \(layers[index])")
            }
            return ShrunkGaussian(mean: mean, precision: precision)
        }
        guard let epsilon = tensors["epsilon"]?.scalars.first else {
            throw DetectorError.invalidInput("the saved Mahalanobis model has no 'epsilon'")
        }
        self.init(setup: setup, options: options, epsilon: epsilon,
                  scorer: PooledMahalanobisScore(backbone: backbone, layers: layers, gaussians: gaussians))
    }
}
