import Foundation
import XADData
import XADImage
import XADMetrics
import XADModels
import XADTensor

/// What to do with a sample whose image (or mask) cannot be read.
public enum BadImagePolicy: String, Codable, Sendable, CaseIterable {
    /// Stop with the error, which names the file. The default: a silently smaller data set misleads.
    case fail
    /// Leave the sample out and report it (a warning naming the file).
    case skip
}

/// A detector that can be built from its name alone, with its default layers and options: what
/// ``ModelFitting`` (and `xad fit`) need. Every registered detector should conform (one line).
public protocol ConfigurableDetector: AnomalyDetector {
    /// The backbone layers used when none are given.
    static var defaultLayers: [String] { get }
    /// The options used when none are given (each option's documented default).
    static var defaultOptions: Options { get }
}

extension PaDiM: ConfigurableDetector {
    public static var defaultOptions: Options { Options() }
}

extension PatchCore: ConfigurableDetector {
    public static var defaultOptions: Options { Options() }
}

/// Fits a registered detector on normal training images and calibrates its threshold and score
/// normalisation, as `xad fit` does.
///
/// Calibration never looks at the test set (an F1-optimal threshold picked on the labelled test
/// set reports a number no user can reach). Every k-th training image (k = 1 / `holdoutFraction`,
/// by position; at least one image) is held out; the detector is fitted on the others, the
/// held-out normal images are scored, and
/// - threshold = the `thresholdPercentile`-th percentile of their scores (default 99: about 1% of
///   unseen normal images are flagged);
/// - normalisation = min-max over [lowest held-out score, 2 · threshold − lowest], so that a
///   normalised score of 0.5 is the threshold (anomalib's convention) and 0 the most normal image
///   (lowest = 0 when there is a single held-out image).
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
    /// The backbone layers; `nil` takes the detector's ``ConfigurableDetector/defaultLayers``.
    public var layers: [String]?
    /// How images become the backbone's input (image size, normalisation).
    public var preprocessing: Preprocessing
    /// A JSON object whose keys override the detector's default options, e.g. `{"channels": 50}`.
    public var optionOverrides: String?
    /// The share of training images held out for calibration, in 0..<1. Default 0.1.
    public var holdoutFraction: Double
    /// The percentile (0...100) of held-out normal scores used as the threshold. Default 99.
    public var thresholdPercentile: Double
    /// What to do with a training image that cannot be decoded. Default ``BadImagePolicy/fail``.
    public var onBadImage: BadImagePolicy

    public init(detector: String, backbone: String = "efficientnet-lite0", layers: [String]? = nil,
                preprocessing: Preprocessing = Preprocessing(), optionOverrides: String? = nil,
                holdoutFraction: Double = 0.1, thresholdPercentile: Double = 99, onBadImage: BadImagePolicy = .fail) {
        self.detector = detector
        self.backbone = backbone
        self.layers = layers
        self.preprocessing = preprocessing
        self.optionOverrides = optionOverrides
        self.holdoutFraction = holdoutFraction
        self.thresholdPercentile = thresholdPercentile
        self.onBadImage = onBadImage
    }

    /// Fits and calibrates on `training` (normal images only).
    /// - Parameters:
    ///   - weightsPath: the backbone's weight file, when not installed where ``WeightLocator`` looks.
    ///   - progress: stages "features", "gaussians" (or the detector's own) and "calibration".
    ///   - warn: receives one line per skipped image (with ``BadImagePolicy/skip``).
    /// - Throws: ``DetectorError`` for an unknown detector, a bad option or no usable training
    ///   image; the decoding error (naming the file) for a bad image under ``BadImagePolicy/fail``.
    public func fit(on training: [SampleReference], weightsPath: String? = nil, progress: FitProgress? = nil,
                    warn: @Sendable (String) -> Void = { _ in }) throws -> FittedModel {
        guard (0..<1).contains(holdoutFraction) else {
            throw DetectorError.invalidOption("the held-out fraction \(holdoutFraction) is outside 0..<1")
        }
        guard (0...100).contains(thresholdPercentile) else {
            throw DetectorError.invalidOption("the threshold percentile \(thresholdPercentile) is outside 0...100")
        }
        let registered = try Detectors.named(detector)
        guard let type = registered as? any ConfigurableDetector.Type else {
            throw DetectorError.invalidOption("the detector '\(detector)' cannot be built from defaults yet (it is not a ConfigurableDetector)")
        }
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
        let loadedBackbone = try Backbones.load(backbone, weightsPath: weightsPath)
        let fitted = try fit(type, on: fitSet, backbone: loadedBackbone, progress: progress)
        let scores = try Self.scores(of: fitted, on: calibrationSet, progress: progress)
        let threshold = try percentile(scores.map { Double($0) }, thresholdPercentile)
        // With one calibration image (or equal scores) the range starts at 0: every detector's
        // scores are distances, never negative.
        let lowest = scores.count > 1 && Double(scores.min() ?? 0) < threshold ? Double(scores.min() ?? 0) : 0
        let normaliser = try? MinMaxNormaliser(minimum: lowest, maximum: 2 * threshold - lowest)
        let model = SavedModel(detector: fitted, threshold: Float(threshold), normalisation: normaliser,
                               trainingImagePaths: fitSet.map { $0.image.absoluteURL.path })
        return FittedModel(model: model,
                           trainingImages: fitSet.count, calibrationImages: calibrationSet.count,
                           calibratedOnTrainingImages: calibrationSet == fitSet, calibrationScores: scores,
                           skipped: skipped, seconds: Self.seconds(since: started))
    }

    /// The images to fit on and the images to calibrate on (the same images when none can be spared).
    private func split(_ images: [SampleReference]) -> (fit: [SampleReference], calibration: [SampleReference]) {
        guard holdoutFraction > 0, images.count >= 2 else { return (images, images) }
        let every = Swift.max(2, Int((1 / holdoutFraction).rounded()))
        var heldOut = images.indices.filter { $0 % every == every - 1 }
        if heldOut.isEmpty { heldOut = [images.count - 1] }
        let held = Set(heldOut)
        return (images.indices.filter { !held.contains($0) }.map { images[$0] }, heldOut.map { images[$0] })
    }

    private func fit<D: ConfigurableDetector>(_ type: D.Type, on images: [SampleReference], backbone: any Backbone,
                                              progress: FitProgress?) throws -> D {
        let setup = DetectorSetup(backbone: self.backbone, layers: layers ?? D.defaultLayers, preprocessing: preprocessing)
        let options = try Self.options(D.defaultOptions, overriding: optionOverrides, detector: D.name)
        return try D.fit(on: DatasetImages(images), setup: setup, options: options, backbone: backbone, progress: progress)
    }

    /// `defaults` with the keys of the JSON object `overrides` replaced.
    static func options<Options: Codable>(_ defaults: Options, overriding overrides: String?, detector: String) throws -> Options {
        guard let overrides else { return defaults }
        guard let given = try? JSONSerialization.jsonObject(with: Data(overrides.utf8)) as? [String: Any] else {
            throw DetectorError.invalidOption("the options must be a JSON object such as {\"channels\": 50}, not \(overrides)")
        }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults)) as? [String: Any] ?? [:]
        let known = merged.keys.sorted()
        if let unknown = given.keys.sorted().first(where: { merged[$0] == nil }) {
            throw DetectorError.invalidOption("\(detector) has no option '\(unknown)'; its options: \(known.joined(separator: ", "))")
        }
        merged.merge(given) { $1 }
        do {
            return try JSONDecoder().decode(Options.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw DetectorError.invalidOption("an option of \(detector) has a value of the wrong type in \(overrides); the defaults are \(String(decoding: try JSONEncoder().encode(defaults), as: UTF8.self))")
        }
    }

    /// The image scores of `detector` on `images`, in batches.
    static func scores(of detector: some AnomalyDetector, on images: [SampleReference], progress: FitProgress?) throws -> [Float] {
        var scores: [Float] = []
        for start in stride(from: 0, to: images.count, by: 8) {
            let batch = try images[start..<Swift.min(start + 8, images.count)].map {
                try detector.setup.preprocessing(try $0.load().image)
            }
            scores += try detector.score(batch: try Tensor.concatenate(batch, axis: 0)).map(\.score)
            progress?("calibration", scores.count, images.count)
        }
        return scores
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// A fitted, calibrated model and the facts of its fitting, for summaries.
public struct FittedModel: Sendable {
    /// The model with its threshold and normalisation, ready to write.
    public var model: SavedModel
    /// How many images the detector was fitted on.
    public var trainingImages: Int
    /// How many normal images the threshold was chosen on.
    public var calibrationImages: Int
    /// True when no image could be held out and the training images themselves were scored.
    public var calibratedOnTrainingImages: Bool
    /// The calibration images' scores.
    public var calibrationScores: [Float]
    /// Training images left out because they could not be decoded.
    public var skipped: [URL]
    /// Wall-clock seconds of fitting and calibration.
    public var seconds: Double
}
