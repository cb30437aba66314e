import XADImage
import XADModels
import XADTensor

/// Student-Teacher Feature Pyramid Matching (Wang, Wu, Cui, Zhou, "Student-Teacher Feature
/// Pyramid Matching for Anomaly Detection", BMVC 2021): a student network with the pretrained
/// teacher's architecture is trained from random weights to reproduce the teacher's feature maps
/// at several taps on normal images. Where an image is unlike the training images, the student
/// fails to follow the teacher, and the map shows where.
///
/// Map: per tap `1 - cos(teacher, student)` at each position, upsampled bilinearly to the input
/// and multiplied over taps (the paper's and anomalib's choice; `combination = sum` adds them);
/// score: the map's maximum (``FeaturePyramidMatching``). The teacher is the frozen backbone, so
/// its maps are computed once before training, not every epoch.
///
/// ```swift
/// let context = FitContext(images: normals, setup: DetectorSetup(layers: STFPM.defaultLayers), backbone: lite0)
/// let model = try STFPM.fit(context, options: STFPM.Options())
/// let result = try model.score(image: image)   // result.map: where the student lost the teacher
/// ```
public struct STFPM: AnomalyDetector {
    /// STFPM's options, saved inside every model.
    public struct Options: MethodOptions {
        /// Passes over the training images. Default 20 (for tiny sets; MTD needs more, see the README).
        public var epochs = 20
        /// Images per step. Default 32 (anomalib's).
        public var batchSize = 32
        /// The base learning rate. Default 0.001 (Adam; anomalib trains with SGD at 0.4).
        public var learningRate: Float = 1e-3
        /// `adam` or `adamw`. Default `adam`.
        public var optimiser: TrainingPlan.OptimiserKind = .adam
        /// Weight decay. Default 0.0001.
        public var weightDecay: Float = 1e-4
        /// `constant`, `cosine` or `step`. Default `constant`.
        public var schedule: TrainingPlan.Schedule = .constant
        /// Largest global gradient norm. Default none.
        public var clipNorm: Float?
        /// Epochs without a lower validation loss before stopping. Default none.
        public var patience: Int?
        /// `product` or `sum` of the per-tap maps. Default `product`.
        public var combination: FeaturePyramidMatching.Combination = .product
        /// Images per teacher batch while computing the training targets. Default 16.
        public var featureBatchSize = 16

        public init() {}

        public static let help = TrainingPlan.optionHelp + [
            OptionHelp("combination", "how the per-tap maps combine: product (the paper's and anomalib's) or sum"),
            OptionHelp("featureBatchSize", "images per teacher batch while computing the training targets"),
        ]

        /// The training part of the options.
        public var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: optimiser,
                         weightDecay: weightDecay, schedule: schedule, clipNorm: clipNorm, patience: patience)
        }

        public func validate(method: String) throws {
            guard featureBatchSize >= 1 else {
                throw OptionError.invalidValue(method: method, message: "featureBatchSize must be at least 1, got \(featureBatchSize)")
            }
            try plan.validate(method: method)
        }
    }

    public static let name = "stfpm"
    public static let summary = "a student network trained to match the frozen teacher's features; map of 1 - cosine per tap"
    /// The three taps of anomalib's STFPM (ResNet `layer1`-`layer3`, strides 4, 8, 16) as they map
    /// onto EfficientNet-Lite: timm `features_only` indices 1, 2, 3.
    public static let defaultLayers = ["stage1", "stage2", "stage3"]
    public static let traits = DetectorTraits(needsBackbone: true, isTrained: true)

    public let setup: DetectorSetup
    public let options: Options
    public let trainingRecord: TrainingRecord?
    let teacher: any Backbone
    let student: StudentNetwork

    public static func fit(_ context: FitContext, options: Options) throws -> STFPM {
        try options.validate(method: name)
        let teacher = try context.requireBackbone(for: name)
        var generator = SeededGenerator(seed: context.training.seed)
        let student = try StudentNetwork(architecture(of: teacher), layers: context.setup.layers, generator: &generator)
        let (samples, shapes) = try packedSamples(context.images, teacher: teacher, student: student, context: context,
                                                  options: options)
        let validation = try context.validation.flatMap {
            $0.count > 0 ? try packedSamples($0, teacher: teacher, student: student, context: context, options: options).rows : nil
        }
        let loop = TrainingLoop(detector: name, plan: options.plan, settings: context.training, progress: context.progress)
        let outcome = try loop.run(StudentTraining(shapes: shapes, student: student), samples: samples, validation: validation)
        return STFPM(setup: context.setup, options: options, trainingRecord: outcome.record, teacher: teacher,
                     student: outcome.model.student)
    }

    /// The student copies the teacher's layout, which only an EfficientNet-Lite teacher gives.
    private static func architecture(of teacher: any Backbone) throws -> EfficientNetLiteArchitecture {
        guard let lite = teacher as? EfficientNetLite else {
            throw DetectorError.missingRequirement("STFPM's student copies its teacher's layout: it needs an EfficientNet-Lite backbone")
        }
        return lite.architecture
    }

    /// Every prepared image packed with the teacher's maps (``StudentTraining/packed(image:teacher:)``),
    /// and the shapes of the parts.
    private static func packedSamples(_ images: some ImageSource, teacher: any Backbone, student: StudentNetwork,
                                      context: FitContext, options: Options) throws -> (rows: Tensor, shapes: [[Int]]) {
        var rows: [Tensor] = []
        var shapes: [[Int]] = []
        let layers = student.taps.map(\.name)
        try images.forEachPreparedBatch(size: options.featureBatchSize, preprocessing: context.setup.preprocessing,
                                        progress: context.progress) { batch, _ in
            let maps = try FastFlow.scaleMaps(teacher.features(batch, upTo: layers.last), layers: layers)
            shapes = ([batch] + maps).map { Array($0.shape.dropFirst()) }
            rows.append(try StudentTraining.packed(image: batch, teacher: maps))
        }
        return (try Tensor.concatenate(rows, axis: 0), shapes)
    }

    private init(setup: DetectorSetup, options: Options, trainingRecord: TrainingRecord?, teacher: any Backbone,
                 student: StudentNetwork) {
        self.setup = setup
        self.options = options
        self.trainingRecord = trainingRecord
        self.teacher = teacher
        self.student = student
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let maps = try differentiableForward(batch: batch.detached).map
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        let grid = Size2(height: (height + student.taps[0].stride - 1) / student.taps[0].stride,
                         width: (width + student.taps[0].stride - 1) / student.taps[0].stride)
        return try (0..<count).map { n in
            let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([height, width])
            guard let score = try map.max().scalar, score.isFinite else {
                throw DetectorError.numericalFailure("STFPM's map is not finite for image \(n)")
            }
            let patchScores = try map.reshaped([1, 1, height, width]).resized(to: grid, mode: .bilinear)
                .reshaped([grid.height, grid.width])
            return AnomalyResult(score: score, map: map,
                                 provenance: Provenance(layers: student.taps.map(\.name), grid: grid, patchScores: patchScores))
        }
    }

    public var fittedTensors: [String: Tensor] { student.state }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let teacher = try requiredBackbone(backbone, for: Self.name)
        var generator = SeededGenerator(seed: 0)
        var student = try StudentNetwork(Self.architecture(of: teacher), layers: setup.layers, generator: &generator)
        do { try student.load(tensors) } catch {
            throw DetectorError.invalidInput("the saved STFPM student does not fit its layers \(setup.layers): \(error)")
        }
        self.init(setup: setup, options: options, trainingRecord: nil, teacher: teacher, student: student)
    }
}
