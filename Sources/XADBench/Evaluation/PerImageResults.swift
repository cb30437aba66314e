import Foundation
import XADData
import XADDetect
import XADImage
import XADMetrics

/// What ``Evaluator/evaluation(of:on:threshold:progress:warn:)`` returns: the measured report and
/// every test image it scored, in data set order (skipped images left out).
public struct Evaluation: Sendable {
    /// The metrics, threshold check and timing.
    public var report: EvaluationReport
    /// The scored test images.
    public var images: [ScoredImage]

    public init(report: EvaluationReport, images: [ScoredImage]) {
        self.report = report
        self.images = images
    }
}

/// One scored test image: where it came from, its score, and its map and mask at the model's
/// resolution (the resolution pixel metrics are measured at).
public struct ScoredImage: Sendable {
    /// The test sample: file, label, defect class and mask source (`SampleReference.load()`
    /// decodes it again).
    public let reference: SampleReference
    /// The image's anomaly score.
    public let score: Float
    /// The anomaly map at the model's resolution, as `AnomalyDetector.score(batch:)` returned it.
    public let map: ScoreMap
    /// The ground-truth mask at the model's resolution (resized nearest, centre-cropped like the
    /// images); nil for an anomalous image without a mask. Normal images have an empty mask.
    public let mask: DefectMask?

    public init(reference: SampleReference, score: Float, map: ScoreMap, mask: DefectMask?) {
        (self.reference, self.score, self.map, self.mask) = (reference, score, map, mask)
    }

    /// The file name.
    public var name: String { reference.name }
    /// The image file.
    public var file: URL { reference.image }
    /// The defect class ("good" for normal images).
    public var category: String { reference.category }
    /// Normal or anomalous.
    public var label: Label { reference.label }
    /// True for an anomalous image.
    public var isAnomalous: Bool { reference.label.isAnomalous }

    init(_ sample: Sample, _ result: AnomalyResult, _ preprocessing: Preprocessing) throws {
        let reference = sample.reference
        let (height, width) = (result.map.shape[0], result.map.shape[1])
        let map = try ScoreMap(height: height, width: width, scores: result.map.scalars, name: reference.image.path)
        guard sample.hasMask else {
            self.init(reference: reference, score: result.score, map: map, mask: nil)
            return
        }
        var resized = try sample.mask.resized(to: preprocessing.imageSize, mode: .nearest)
        if let crop = preprocessing.centerCrop { resized = try resized.centerCropped(to: crop) }
        let mask = try DefectMask(height: height, width: width, values: resized.scalars, name: reference.image.path)
        self.init(reference: reference, score: result.score, map: map, mask: mask)
    }
}
