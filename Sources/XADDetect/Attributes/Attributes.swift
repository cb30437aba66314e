import Foundation
import XADImage
import XADModels
import XADTensor

/// The attribute-based, interpretable video detector, after Reiss & Hoshen ("Attribute-based
/// Representations for Accurate and Interpretable Video Anomaly Detection", AI-VAD, 2022), with
/// foreground regions in place of a pretrained object detector.
///
/// Objects are the connected foreground regions of each frame (running-median background and
/// frame differencing, see `MedianBackground`). Each object is described by attributes:
/// - **velocity**: the speed of its dense optical flow (`FarnebackFlow` or `DenseLucasKanade`), scaled by
///   `Perspective` to the reference image row, scored one-sided (faster than normal raises it);
///   or, with `velocityModel` `mixture`, `-log p(x)` of its 8-bin direction histogram under a
///   ``GaussianMixture``;
/// - **appearance**: EfficientNet-Lite0 features of its own crop (or of the whole frame averaged
///   in its box); score the mean distance to the `neighbours` nearest training objects (whose
///   clip, frame and box are the explanation's nearest normal object);
/// - **shape** (optional): `log` height and width of the box at the reference row; a Gaussian mixture.
///
/// Each attribute's score is calibrated on the training videos, leave-one-video-out:
/// `s' = (s - min) / (p99.9 - min)` over the scores each training object gets from a model fitted
/// without its video, so 0 is typical and 1 the rare end of normal; then taken as the median over
/// the object's track (`ObjectTracks`) and weighted down for objects smaller than the typical
/// training object. A frame's score is its top object's sum, `max_objects Σ_attributes s'` (0
/// without objects), smoothed over time by a Gaussian of
/// `smoothingSigma` frames.
///
/// ```swift
/// let ped2 = try UCSDPed().loadVideo(root)
/// let setup = DetectorSetup(layers: Attributes.defaultLayers,
///                           preprocessing: Preprocessing(imageSize: Size2(height: 160, width: 240)))
/// let model = try Attributes.fit(FitContext(images: ped2.frames, clips: ped2.train, setup: setup,
///                                           backbone: try Backbones.load("efficientnet-lite0")),
///                                options: Attributes.Options())
/// let result = try model.score(clip: ped2.test[0])    // result.frames[t].objects: the evidence
/// ```
public struct Attributes: VideoAnomalyDetector {
    /// The attribute-based detector's options, saved inside every model.
    public struct Options: MethodOptions {
        /// The attributes scored, of `velocity`, `appearance`, `shape`. Default velocity and
        /// appearance: on Ped2 the shape mixture alone reaches 0.607 micro AUROC and pulls the
        /// sum down (README, step 4).
        public var attributes: [String] = [Attribute.velocity.rawValue, Attribute.appearance.rawValue]
        /// How velocity is scored: `speed`, the object's speed at the reference row, so that only
        /// speeds above normal ones raise the score (one-sided); or `mixture`, `-log p` of its
        /// 8-bin direction histogram under a Gaussian mixture (two-sided: an unusual direction or a
        /// standing person scores like a cyclist). Default `speed`.
        public var velocityModel: String = "speed"
        /// The side in pixels of the square crop of each object that the backbone sees for its
        /// appearance (0: pool the whole frame's features in the box instead). Default 32.
        public var appearanceCrop: Int = 32
        /// Each object's calibrated scores are the median over it and up to `trackLength - 1`
        /// predecessors in its track (box overlap from frame to frame, `ObjectTracks`); 1: no
        /// tracking. Default 8.
        public var trackLength: Int = 8
        /// Whether an object smaller than the median training object (area at the reference row)
        /// counts in proportion to its area, so that the fragments of a walker do not each score
        /// as an object. Default true.
        public var fragmentWeighting: Bool = true
        /// The scale of the frames that motion (background, flow, regions) is computed at.
        /// Default 0.5: flow at half size is four times cheaper.
        public var motionScale: Float = 0.5
        /// Foreground where a pixel differs from the background by at least this (0...1). Default 0.08.
        public var backgroundThreshold: Float = 0.08
        /// Foreground where a pixel differs from the previous frame by at least this. Default 0.06.
        public var differenceThreshold: Float = 0.06
        /// The dense optical flow: `farneback` (`FarnebackFlow` with the OpenCV settings of the
        /// AI-VAD fallback and of the prototype, `Tools/reference/ped2_attributes_prototype.py`:
        /// pyramid scale 0.5, 3 levels, a 15-pixel box window, 3 iterations, expansion radius 5
        /// and sigma 1.2) or `lucaskanade` (`DenseLucasKanade`, 3 levels, window
        /// `flowWindowSigma`). Default `farneback`.
        public var flow: String = "farneback"
        /// The Gaussian window of the Lucas-Kanade flow (`DenseLucasKanade.windowSigma`), in pixels at
        /// the motion scale. Default 4: a window like Farnebäck's 15 pixels, which on Ped2 gives
        /// the OpenCV speed baseline 0.922 micro AUROC, against 0.800 with 5 pixels.
        public var flowWindowSigma: Float = 4
        /// Whether the perspective is a line fitted to the training objects' (bottom row, height)
        /// instead of the row prior (sizes growing linearly from 0.3 at the top row to 1.3 at the
        /// bottom). Default false: on Ped2 merged blobs skew the fitted line.
        public var fitPerspective: Bool = false
        /// The smallest object, in the clip's pixels. Default 80.
        public var minimumArea: Int = 80
        /// Components of the velocity and shape mixtures. Default 8.
        public var components: Int = 8
        /// Added to the mixtures' covariance diagonals (velocity in (px/frame)², shape in log
        /// units squared). Default 0.01: with scikit-learn's 1e-6, the near-empty direction bins
        /// get near-zero variances and tiny deviations dominate `-log p` (Ped2 velocity alone
        /// 0.661 micro AUROC, against 0.866 for the raw speed).
        public var mixtureRegularisation: Double = 0.01
        /// Training objects the appearance score averages distances to. Default 1.
        public var neighbours: Int = 1
        /// Training objects kept for the appearance search (evenly subsampled). Default 12000.
        public var bankSize: Int = 12000
        /// Training frames used: every `trainingFrameStride`-th frame of each clip. Default 1.
        public var trainingFrameStride: Int = 1
        /// The calibration's upper percentile of the leave-one-video-out scores. Default 99.9.
        public var calibrationPercentile: Double = 99.9
        /// The temporal smoothing's standard deviation, in frames (0: none). Default 3.
        public var smoothingSigma: Float = 3
        /// The seed of the mixtures' k-means++ start. Default 0.
        public var seed: UInt64 = 0

        public init() {}

        public static let help = [
            OptionHelp("attributes", "attributes scored, of velocity, appearance, shape"),
            OptionHelp("velocityModel", "velocity score: speed (one-sided) or mixture (direction histogram density)"),
            OptionHelp("appearanceCrop", "side of each object's crop for the backbone, in pixels (0: pool the frame's features)"),
            OptionHelp("trackLength", "objects' scores are the median over their last trackLength frames' objects"),
            OptionHelp("fragmentWeighting", "objects smaller than the median training object count in proportion to their area"),
            OptionHelp("motionScale", "scale of the frames that background, flow and regions use"),
            OptionHelp("backgroundThreshold", "foreground: difference to the background of at least this (0...1)"),
            OptionHelp("differenceThreshold", "foreground: difference to the previous frame of at least this (0...1)"),
            OptionHelp("flow", "dense optical flow: farneback (OpenCV's 0.5, 3, 15, 3, 5, 1.2) or lucaskanade"),
            OptionHelp("flowWindowSigma", "Gaussian window of the Lucas-Kanade flow, in pixels at the motion scale"),
            OptionHelp("fitPerspective", "fit the size-by-row line to the training objects instead of the row prior"),
            OptionHelp("minimumArea", "smallest object, in the clip's pixels"),
            OptionHelp("components", "Gaussians of the velocity and shape mixtures"),
            OptionHelp("mixtureRegularisation", "added to the mixtures' covariance diagonals"),
            OptionHelp("neighbours", "nearest training objects the appearance distance averages"),
            OptionHelp("bankSize", "training objects kept for the appearance search"),
            OptionHelp("trainingFrameStride", "fit on every n-th training frame"),
            OptionHelp("calibrationPercentile", "upper percentile of the calibration (leave-one-video-out scores)"),
            OptionHelp("smoothingSigma", "temporal smoothing of the frame scores, in frames"),
            OptionHelp("seed", "seed of the mixtures' k-means++ start"),
        ]

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { .invalidValue(method: method, message: message) }
            let unknown = attributes.filter { Attribute(rawValue: $0) == nil }
            guard unknown.isEmpty, !attributes.isEmpty, Set(attributes).count == attributes.count else {
                throw fail("attributes must be distinct names of \(Attribute.allCases.map(\.rawValue).joined(separator: ", ")), got \(attributes)")
            }
            guard ["speed", "mixture"].contains(velocityModel) else { throw fail("velocityModel must be speed or mixture, got \(velocityModel)") }
            guard appearanceCrop >= 0 else { throw fail("appearanceCrop must be at least 0, got \(appearanceCrop)") }
            for (name, value) in [("components", components), ("neighbours", neighbours), ("bankSize", bankSize), ("trackLength", trackLength),
                                  ("trainingFrameStride", trainingFrameStride), ("minimumArea", minimumArea)] where value < 1 {
                throw fail("\(name) must be at least 1, got \(value)")
            }
            guard motionScale > 0, motionScale <= 1 else { throw fail("motionScale must be in (0, 1], got \(motionScale)") }
            guard ["farneback", "lucaskanade"].contains(flow) else { throw fail("flow must be farneback or lucaskanade, got \(flow)") }
            guard flowWindowSigma > 0, flowWindowSigma.isFinite else { throw fail("flowWindowSigma must be positive, got \(flowWindowSigma)") }
            for (name, value) in [("backgroundThreshold", backgroundThreshold), ("differenceThreshold", differenceThreshold)]
            where !(value > 0 && value < 1) {
                throw fail("\(name) must be in (0, 1), got \(value)")
            }
            guard calibrationPercentile > 50, calibrationPercentile <= 100 else {
                throw fail("calibrationPercentile must be in (50, 100], got \(calibrationPercentile)")
            }
            guard mixtureRegularisation > 0, mixtureRegularisation.isFinite else {
                throw fail("mixtureRegularisation must be positive, got \(mixtureRegularisation)")
            }
            guard smoothingSigma >= 0, smoothingSigma.isFinite else { throw fail("smoothingSigma must be at least 0, got \(smoothingSigma)") }
        }

        /// The dense flow that ``flow`` names, with its settings.
        public var flowEstimator: any DenseFlowEstimator {
            guard flow == "lucaskanade" else { return FarnebackFlow() }
            var lucasKanade = DenseLucasKanade()
            lucasKanade.levels = 3
            lucasKanade.windowSigma = flowWindowSigma
            return lucasKanade
        }

        /// The chosen attributes, in the order of ``Attribute``.
        var chosen: [Attribute] { Attribute.allCases.filter { attributes.contains($0.rawValue) } }
    }

    /// An attribute of an object that the detector scores.
    public enum Attribute: String, CaseIterable, Sendable {
        /// How fast and which way the object moves (its flow's direction histogram).
        case velocity
        /// What the object looks like (backbone features in its box).
        case appearance
        /// How big the object is for its image row (its box's height and width).
        case shape
    }

    public static let name = "attributes"
    public static let summary = "objects' velocity, appearance and shape against normal training objects, each calibrated and explained (AI-VAD)"
    /// EfficientNet-Lite0's `stage2` and `stage3`, averaged in each object's box.
    public static let defaultLayers = ["stage2", "stage3"]
    public static let traits = DetectorTraits(input: .clips, providesProvenance: true)

    public let setup: DetectorSetup
    public let options: Options
    let measurer: ObjectMeasurer
    let perspective: Perspective
    /// The learnt normality of each chosen attribute.
    let models: AttributeModels
    /// Per chosen attribute (in ``Options/chosen`` order): the calibration and the normal range.
    let calibrations: [Calibration]
    /// The training clips' names, which ``TrainingObjectReference/clip`` indexes.
    let clipNames: [String]

    public static func fit(_ context: FitContext, options: Options) throws -> Attributes {
        try options.validate(method: name)
        let clips = try context.requireClips(for: name)
        let measurer = try makeMeasurer(options: options, setup: context.setup, backbone: context.backbone)
        var objects: [[MeasuredObject]] = []
        for clip in clips {
            objects.append(try measurer.measure(clip, stride: options.trainingFrameStride, progress: context.progress).flatMap { $0 })
        }
        let training = TrainingObjects(clips: objects)
        guard training.count >= 2 else {
            throw DetectorError.invalidInput("\(training.count) moving objects were found in the \(clips.count) training clips; the attribute-based detector needs at least 2 (are the frames static, or the thresholds too high?)")
        }
        let height = try clips[0].frames.image(at: 0).shape.dropLast().last ?? 1
        let perspective = options.fitPerspective ? Perspective(fitting: training.references.map(\.box)) : Perspective(rowPriorForHeight: height)
        let fitted = try AttributeModels.fit(training, perspective: perspective, options: options, progress: context.progress)
        return Attributes(setup: context.setup, options: options, measurer: measurer, perspective: perspective,
                          models: fitted.models, calibrations: fitted.calibrations, clipNames: clips.map(\.name))
    }

    init(setup: DetectorSetup, options: Options, measurer: ObjectMeasurer, perspective: Perspective,
         models: AttributeModels, calibrations: [Calibration], clipNames: [String]) {
        (self.setup, self.options, self.measurer, self.perspective) = (setup, options, measurer, perspective)
        (self.models, self.calibrations, self.clipNames) = (models, calibrations, clipNames)
    }

    /// The measurer of these options: with appearance features when appearance is scored.
    static func makeMeasurer(options: Options, setup: DetectorSetup, backbone: (any Backbone)?) throws -> ObjectMeasurer {
        guard options.chosen.contains(.appearance) else {
            return ObjectMeasurer(options: options, extractor: nil, preprocessing: setup.preprocessing)
        }
        let extractor = try FeatureExtractor(backbone: requiredBackbone(backbone, for: name), layers: setup.layers, upsampling: .bilinear)
        return ObjectMeasurer(options: options, extractor: extractor, preprocessing: setup.preprocessing)
    }

    /// Single images cannot be scored: the detector needs each frame's neighbours.
    public func score(batch: Tensor) throws -> [AnomalyResult] {
        throw DetectorError.scoresClipsOnly(Self.name)
    }

    public var fittedTensors: [String: Tensor] {
        var tensors = models.savedTensors
        tensors["perspective"] = perspective.savedTensor
        tensors["calibration"] = Calibration.savedTensor(calibrations)
        tensors["clip_names"] = Tensor(shape: [clipNames.joined(separator: "\n").utf8.count]) { out in
            for (i, byte) in clipNames.joined(separator: "\n").utf8.enumerated() { out[i] = Float(byte) }
        }
        return tensors
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        try options.validate(method: Self.name)
        let measurer = try Self.makeMeasurer(options: options, setup: setup, backbone: backbone)
        guard let bytes = tensors["clip_names"].flatMap({ SavedIntegers.decode($0.scalars, below: 256) }),
              let names = String(validating: bytes.map(UInt8.init), as: UTF8.self) else {
            throw DetectorError.invalidInput("the saved training clip names are missing or not UTF-8")
        }
        let clipNames = names.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        self.init(setup: setup, options: options, measurer: measurer, perspective: try Perspective(saved: tensors["perspective"]),
                  models: try AttributeModels(restoring: tensors, options: options, clipCount: clipNames.count),
                  calibrations: try Calibration.restored(tensors["calibration"], count: options.chosen.count), clipNames: clipNames)
    }
}
