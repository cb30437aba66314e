import Foundation
import XADData
import XADImage
import XADModels
import XADTensor

/// Fits a registered detector on normal training images and calibrates its threshold and score
/// normalisation, as `xad fit` does.
///
/// Calibration never looks at the test set (an F1-optimal threshold picked on the labelled test
/// set reports a number no user can reach). Every k-th training image (k = 1 / `holdoutFraction`,
/// by position; at least one image) is held out; the detector is fitted on the others, the
/// held-out normal images are scored, and ``ThresholdCalibration`` turns their scores into the
/// threshold (the `thresholdPercentile`-th percentile) and the normalisation. Trainable detectors
/// see the held-out images as their validation set too.
///
/// With `holdoutFraction = 0` the training images themselves are scored instead; a detector scores
/// its own training images lower than unseen ones, so that threshold flags more normal images.
///
/// ```swift
/// let dataset = try DatasetFormats.load(URL(fileURLWithPath: "data/bottle"))
/// let fitted = try ModelFitting(detector: "padim").fit(on: dataset.train)
/// try fitted.model.write(to: URL(fileURLWithPath: "bottle.xadm"))
/// ```
public struct ModelFitting: Sendable {
    /// The registry name of the detector, e.g. `"padim"`.
    public var detector: String
    /// The backbone's registry name. Default `"efficientnet-lite0"`.
    public var backbone: String
    /// The backbone layers; `nil` takes the detector's ``AnomalyDetector/defaultLayers``.
    public var layers: [String]?
    /// How images become the backbone's input (image size, normalisation).
    public var preprocessing: Preprocessing
    /// Values replacing the detector's default options, e.g. `channels = 50`.
    public var options: OptionOverrides
    /// Budget, seed and checkpoints for trainable detectors.
    public var training: TrainingSettings
    /// The share of training images held out for calibration, in 0..<1. Default 0.1.
    public var holdoutFraction: Double
    /// The percentile (0...100) of held-out normal scores used as the threshold. Default 99.
    public var thresholdPercentile: Double
    /// What to do with a training image that cannot be decoded. Default ``BadImagePolicy/fail``.
    public var onBadImage: BadImagePolicy
    /// With `holdoutFraction = 0`, how many of the first training images are scored for the
    /// calibration (nil: all of them). The demo's golden-board protocol fits on the training
    /// images plus the test boards' templates but sets the threshold on the training images only.
    public var calibrationLimit: Int? = nil

    public init(detector: String, backbone: String = "efficientnet-lite0", layers: [String]? = nil,
                preprocessing: Preprocessing = Preprocessing(), options: OptionOverrides = OptionOverrides(),
                training: TrainingSettings = TrainingSettings(), holdoutFraction: Double = 0.1,
                thresholdPercentile: Double = 99, onBadImage: BadImagePolicy = .fail) {
        self.detector = detector
        self.backbone = backbone
        self.layers = layers
        self.preprocessing = preprocessing
        self.options = options
        self.training = training
        self.holdoutFraction = holdoutFraction
        self.thresholdPercentile = thresholdPercentile
        self.onBadImage = onBadImage
    }

    /// Fits and calibrates on `training` (normal images only).
    /// - Parameters:
    ///   - training: the normal training images, e.g. a data set's `train`.
    ///   - weightsPath: the backbone's weight file, when not installed where `WeightLocator` looks.
    ///   - progress: stages "features", "gaussians" (or the detector's own) and "calibration".
    ///   - warn: receives one line per skipped image (with ``BadImagePolicy/skip``).
    /// - Throws: ``DetectorError`` for an unknown detector or no usable training image,
    ///   ``OptionError`` for a bad option; the decoding error (naming the file) for a bad image
    ///   under ``BadImagePolicy/fail``.
    public func fit(on training: [SampleReference], weightsPath: String? = nil, progress: FitProgress? = nil,
                    warn: @Sendable (String) -> Void = { _ in }) throws -> FittedModel {
        guard (0..<1).contains(holdoutFraction) else {
            throw DetectorError.invalidOption("the held-out fraction \(holdoutFraction) is outside 0..<1")
        }
        guard (0...100).contains(thresholdPercentile) else {
            throw DetectorError.invalidOption("the threshold percentile \(thresholdPercentile) is outside 0...100")
        }
        let type = try Detectors.named(detector)
        let started = ContinuousClock.now
        var usable = training, skipped: [URL] = []
        if onBadImage == .skip {
            usable = training.filter { reference in
                do { _ = try reference.load(); return true } catch {
                    warn("skipping \(reference.image.path): \(error)")
                    skipped.append(reference.image)
                    return false
                }
            }
        }
        guard !usable.isEmpty else { throw DetectorError.noTrainingImages }
        let (fitSet, calibrationSet) = split(usable)
        let calibratedOnTrainingImages = fitSet.starts(with: calibrationSet)
        let fitted = try fit(type, on: fitSet, validation: calibratedOnTrainingImages ? fitSet : calibrationSet,
                             weightsPath: weightsPath, progress: progress)
        let scores = try ThresholdCalibration.scores(of: fitted, on: calibrationSet, progress: progress)
        let calibration = try ThresholdCalibration(scores: scores, percentile: thresholdPercentile)
        let model = SavedModel(detector: fitted, threshold: calibration.threshold, normalisation: calibration.normaliser,
                               trainingImagePaths: fitSet.map { $0.image.absoluteURL.path })
        return FittedModel(model: model,
                           trainingImages: fitSet.count, calibrationImages: calibrationSet.count,
                           calibratedOnTrainingImages: calibratedOnTrainingImages, calibrationScores: scores,
                           skipped: skipped, seconds: started.secondsElapsed)
    }

    /// The detector's options: its defaults with ``options`` applied.
    public func resolvedOptions<D: AnomalyDetector>(for type: D.Type) throws -> D.Options {
        try D.Options().overriding(options, method: D.name)
    }

    /// The images to fit on and the images to calibrate on (the same images, or the first
    /// ``calibrationLimit`` of them, when none can be spared).
    private func split(_ images: [SampleReference]) -> (fit: [SampleReference], calibration: [SampleReference]) {
        guard holdoutFraction > 0, images.count >= 2 else {
            return (images, calibrationLimit.map { Array(images.prefix(Swift.max(1, $0))) } ?? images)
        }
        let every = Swift.max(2, Int((1 / holdoutFraction).rounded()))
        var heldOut = images.indices.filter { $0 % every == every - 1 }
        if heldOut.isEmpty { heldOut = [images.count - 1] }
        let held = Set(heldOut)
        return (images.indices.filter { !held.contains($0) }.map { images[$0] }, heldOut.map { images[$0] })
    }

    private func fit<D: AnomalyDetector>(_ type: D.Type, on images: [SampleReference], validation: [SampleReference],
                                         weightsPath: String?, progress: FitProgress?) throws -> D {
        // Options are checked before the backbone is loaded: a typo fails at once.
        let options = try resolvedOptions(for: type)
        let backboneName = D.traits.needsBackbone ? backbone : DetectorSetup.noBackbone
        let setup = DetectorSetup(backbone: backboneName, layers: layers ?? D.defaultLayers, preprocessing: preprocessing)
        let loaded = D.traits.needsBackbone ? try Backbones.load(backbone, weightsPath: weightsPath) : nil
        let context = FitContext(images: DatasetImages(images), validation: validation == images ? nil : DatasetImages(validation),
                                 setup: setup, backbone: loaded, training: training, progress: progress)
        return try D.fit(context, options: options)
    }
}
