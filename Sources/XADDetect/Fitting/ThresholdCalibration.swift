import XADData
import XADMetrics
import XADTensor

/// The decision threshold and score normalisation chosen from normal images' scores.
///
/// - threshold = the `percentile`-th percentile of the scores (99: about 1% of unseen normal
///   images are flagged);
/// - normalisation = min-max over [lowest score, 2 · threshold − lowest], so that a normalised
///   score of 0.5 is the threshold (anomalib's convention) and 0 the most normal image (lowest = 0
///   when there is a single score, or all are equal).
///
/// ```swift
/// let calibration = try ThresholdCalibration(scores: heldOutScores, percentile: 99)
/// calibration.threshold          // raw-score threshold
/// calibration.normaliser?(score) // 0.5 at the threshold
/// ```
public struct ThresholdCalibration: Sendable {
    /// The threshold on raw scores.
    public let threshold: Float
    /// Maps raw scores to 0...1 with the threshold at 0.5; nil when the range is empty.
    public let normaliser: MinMaxNormaliser?

    /// Calibrates on normal images' `scores`.
    /// - Throws: ``DetectorError/invalidOption(_:)`` for a percentile outside 0...100; the
    ///   metrics error for no scores.
    public init(scores: [Float], percentile: Double) throws {
        guard (0...100).contains(percentile) else {
            throw DetectorError.invalidOption("the threshold percentile \(percentile) is outside 0...100")
        }
        let threshold = try XADMetrics.percentile(scores.map { Double($0) }, percentile)
        // Every detector's scores are distances, never negative: the range may start at 0.
        let lowest = scores.count > 1 && Double(scores.min() ?? 0) < threshold ? Double(scores.min() ?? 0) : 0
        self.threshold = Float(threshold)
        normaliser = try? MinMaxNormaliser(minimum: lowest, maximum: 2 * threshold - lowest)
    }

    /// The image scores of `detector` on `images`, in batches of 8.
    public static func scores(of detector: some AnomalyDetector, on images: [SampleReference],
                              progress: FitProgress?) throws -> [Float] {
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
}
