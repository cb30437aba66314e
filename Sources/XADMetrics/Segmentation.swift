/// Overlap of a thresholded anomaly map with the ground truth, over all pixels of all images
/// (one pooled count, not a mean of per-image values). A pixel is predicted a defect when its
/// score is `>= threshold`.
///
/// - IoU (Jaccard) = |predicted ∩ truth| / |predicted ∪ truth|
/// - Dice (pixel F1) = 2 |predicted ∩ truth| / (|predicted| + |truth|)
///
/// ```swift
/// let overlap = try SegmentationOverlap(maps: maps, masks: masks, threshold: 0.5)
/// overlap.iou; overlap.dice
/// ```
public struct SegmentationOverlap: Sendable, Equatable, Codable {
    /// Pixels predicted and true defects, predicted only, and true only.
    public let intersection: Int, predictedOnly: Int, truthOnly: Int
    /// Intersection over union.
    public let iou: Double
    /// The Dice coefficient.
    public let dice: Double

    /// - Throws: ``MetricsError`` when maps and masks do not pair up, or `.undefined` when no
    ///   pixel is predicted or true (both ratios are 0 / 0).
    public init(maps: [ScoreMap], masks: [DefectMask], threshold: Double) throws {
        try validatePairs(maps, masks)
        var both = 0, predictedOnly = 0, truthOnly = 0
        for (map, mask) in zip(maps, masks) {
            for (score, isDefect) in zip(map.scores, mask.isDefect) {
                let predicted = Double(score) >= threshold
                if predicted && isDefect { both += 1 } else if predicted { predictedOnly += 1 } else if isDefect { truthOnly += 1 }
            }
        }
        guard both + predictedOnly + truthOnly > 0 else {
            throw MetricsError(.undefined, "IoU/Dice", "no pixel is a defect or predicted one at threshold \(threshold); the overlap is undefined")
        }
        intersection = both
        self.predictedOnly = predictedOnly
        self.truthOnly = truthOnly
        iou = Double(both) / Double(both + predictedOnly + truthOnly)
        dice = 2 * Double(both) / Double(2 * both + predictedOnly + truthOnly)
    }
}
