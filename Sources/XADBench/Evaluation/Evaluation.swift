import Foundation
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADTensor

/// Scores a data set's test images with a fitted detector and measures it: image AUROC, average
/// precision, F1-max (with its threshold), pixel AUROC and AUPRO, over all test images and per
/// defect class (that class's anomalous images with every normal test image).
///
/// Pixel metrics are measured at the model's resolution (MTD protocol v1): maps as
/// `AnomalyDetector.score(batch:)` returns them, masks resampled (nearest) to the model's input
/// size, and centre-cropped like the images when the preprocessing crops. Anomalous images without
/// a mask take no part in pixel metrics.
///
/// ```swift
/// let model = try SavedModel.load(URL(fileURLWithPath: "bottle.xadm"))
/// let report = try Evaluator().evaluate(model: model, on: try DatasetFormats.load(root))
/// report.overall.imageAUROC   // 0.98...
/// ```
public struct Evaluator: Sendable {
    /// What to do with a test image (or mask) that cannot be read. Default `BadImagePolicy.fail`.
    public var onBadImage: BadImagePolicy
    /// Images per scoring batch. Default 8.
    public var batchSize: Int
    /// The FPR up to which the PRO curve is integrated. Default 0.3.
    public var fprLimit: Double

    public init(onBadImage: BadImagePolicy = .fail, batchSize: Int = 8, fprLimit: Double = 0.3) {
        self.onBadImage = onBadImage
        self.batchSize = batchSize
        self.fprLimit = fprLimit
    }

    /// Evaluates a saved model, also checking its saved threshold on the test set.
    public func evaluate(model: SavedModel, on dataset: Dataset, progress: FitProgress? = nil,
                         warn: (String) -> Void = { _ in }) throws -> EvaluationReport {
        try evaluation(of: model, on: dataset, progress: progress, warn: warn).report
    }

    /// Evaluates `detector` on `dataset.test`; see ``evaluation(of:on:threshold:progress:warn:)``.
    public func evaluate(_ detector: any AnomalyDetector, on dataset: Dataset, threshold: Double? = nil,
                         progress: FitProgress? = nil, warn: (String) -> Void = { _ in }) throws -> EvaluationReport {
        try evaluation(of: detector, on: dataset, threshold: threshold, progress: progress, warn: warn).report
    }

    /// The report of ``evaluate(model:on:progress:warn:)`` together with every scored test image
    /// (score, map and mask at the model's resolution), for galleries and curves.
    public func evaluation(of model: SavedModel, on dataset: Dataset, progress: FitProgress? = nil,
                           warn: (String) -> Void = { _ in }) throws -> Evaluation {
        try evaluation(of: model.detector, on: dataset, threshold: model.threshold.map(Double.init), progress: progress, warn: warn)
    }

    /// Scores `detector` on `dataset.test` and measures it: the report and the scored images.
    /// - Parameters:
    ///   - detector: the fitted detector.
    ///   - dataset: the data set; only its test split is read.
    ///   - threshold: a decision threshold on raw scores to check (TPR and FPR at it), if any.
    ///   - progress: stage "scoring", images done of all.
    ///   - warn: receives one line per skipped image (with `BadImagePolicy.skip`).
    /// - Throws: ``EvaluationError`` when there is nothing to evaluate; the loading error (naming
    ///   the file) for a bad image or mask under `BadImagePolicy.fail`; `MetricsError` for
    ///   non-finite scores.
    public func evaluation(of detector: any AnomalyDetector, on dataset: Dataset, threshold: Double? = nil,
                           progress: FitProgress? = nil, warn: (String) -> Void = { _ in }) throws -> Evaluation {
        guard !dataset.test.isEmpty else { throw EvaluationError.noTestImages(dataset.name) }
        let started = ContinuousClock.now
        var scored: [ScoredImage] = [], skipped: [String] = []
        let preprocessing = detector.setup.preprocessing
        for start in stride(from: 0, to: dataset.test.count, by: Swift.max(1, batchSize)) {
            var samples: [Sample] = []
            for reference in dataset.test[start..<Swift.min(start + Swift.max(1, batchSize), dataset.test.count)] {
                do { samples.append(try reference.load()) } catch {
                    guard onBadImage == .skip else { throw error }
                    warn("skipping \(reference.image.path): \(error)")
                    skipped.append(reference.image.path)
                }
            }
            guard !samples.isEmpty else { continue }
            let batch = try Tensor.concatenate(samples.map { try preprocessing($0.image) }, axis: 0)
            for (sample, result) in zip(samples, try detector.score(batch: batch)) {
                scored.append(try ScoredImage(sample, result, preprocessing))
            }
            progress?("scoring", scored.count + skipped.count, dataset.test.count)
        }
        guard !scored.isEmpty else { throw EvaluationError.noUsableImages(dataset.name) }
        let scoringSeconds = started.secondsElapsed

        let metricsStarted = ContinuousClock.now
        let localises = type(of: detector).traits.localises
        let overall = try measure(scored, localises: localises)
        let classes = try Set(scored.filter(\.isAnomalous).map(\.category)).sorted().map { category in
            EvaluationReport.DefectClass(name: category, metrics: try measure(scored.filter { !$0.isAnomalous || $0.category == category },
                                                                              localises: localises))
        }
        let metricsSeconds = metricsStarted.secondsElapsed
        let report = EvaluationReport(
            dataset: dataset.name, detector: type(of: detector).name, backbone: detector.setup.backbone,
            layers: detector.setup.layers, inputSize: [preprocessing.outputSize.height, preprocessing.outputSize.width],
            fprLimit: fprLimit, overall: overall, classes: classes,
            atThreshold: threshold.map { EvaluationReport.ThresholdCheck($0, scored) }, skipped: skipped,
            timing: EvaluationReport.Timing(scoringSeconds: scoringSeconds, metricsSeconds: metricsSeconds,
                                            imagesPerSecond: Double(scored.count) / Swift.max(scoringSeconds, 1e-9)))
        return Evaluation(report: report, images: scored)
    }

    /// Every metric of `images`; a metric that is undefined for them is nil, with its reason.
    /// Pixel metrics are undefined for a detector whose map does not localise (`localises` false).
    func measure(_ images: [ScoredImage], localises: Bool = true) throws -> EvaluationReport.Metrics {
        var metrics = EvaluationReport.Metrics(images: images.count, anomalous: images.filter(\.isAnomalous).count)
        func record(_ name: String, _ body: () throws -> Void) throws {
            do { try body() } catch let error as MetricsError where error.kind == .undefined || error.kind == .empty {
                metrics.undefined[name] = error.message
            }
        }
        let ranking = try BinaryRanking(scores: images.map(\.score), labels: images.map(\.isAnomalous))
        try record("image_auroc") { metrics.imageAUROC = try ranking.auroc() }
        try record("average_precision") { metrics.averagePrecision = try ranking.averagePrecision() }
        try record("f1_max") {
            let best = try ranking.f1Max()
            (metrics.f1Max, metrics.f1Threshold) = (best.score, best.threshold)
        }
        let masked = images.filter { $0.mask != nil }
        metrics.pixelImages = masked.count
        guard localises else {
            for name in ["pixel_auroc", "aupro"] {
                metrics.undefined[name] = "image-level detector: its map explains the image score, it does not localise"
            }
            return metrics
        }
        try record("pixel_auroc") {
            let pixels = try PixelMetrics(maps: masked.map(\.map), masks: masked.compactMap(\.mask), fprLimit: fprLimit)
            metrics.pixelAUROC = try pixels.auroc()
            try record("aupro") { metrics.aupro = try pixels.aupro() }
        }
        if metrics.pixelAUROC == nil, let reason = metrics.undefined["pixel_auroc"] { metrics.undefined["aupro"] = reason }
        return metrics
    }
}

/// Nothing could be evaluated.
public enum EvaluationError: StatusReportingError, CustomStringConvertible, Equatable {
    /// A data set with nothing to evaluate is bad data.
    public var exitStatus: ExitStatus { .data }

    case noTestImages(String)
    case noUsableImages(String)

    public var description: String {
        switch self {
        case .noTestImages(let dataset): "\(dataset): the data set has no test images to evaluate on"
        case .noUsableImages(let dataset): "\(dataset): every test image was skipped; nothing to evaluate"
        }
    }
}
