import XADDetect

/// How a test image fares at the decision threshold.
public enum Verdict: String, Sendable, CaseIterable {
    case falsePositive = "false positive"
    case falseNegative = "false negative"
    case truePositive = "true positive"
    case trueNegative = "true negative"

    /// The verdict of `image` when `score >= threshold` is called anomalous.
    public init(_ image: ScoredImage, threshold: Double) {
        let flagged = Double(image.score) >= threshold
        switch (image.isAnomalous, flagged) {
        case (false, true): self = .falsePositive
        case (true, false): self = .falseNegative
        case (true, true): self = .truePositive
        case (false, false): self = .trueNegative
        }
    }

    /// True for a misclassified image.
    public var isError: Bool { self == .falsePositive || self == .falseNegative }

    /// "fp", "fn", "tp", "tn": the CSS class and filter key.
    public var code: String {
        switch self {
        case .falsePositive: "fp"
        case .falseNegative: "fn"
        case .truePositive: "tp"
        case .trueNegative: "tn"
        }
    }
}

/// Which test images the gallery shows, in which order.
public enum GalleryOrder {
    /// Misclassified images first, most confidently wrong first (false positives by falling
    /// score, then false negatives by rising score), then the others by falling score; at most
    /// `limit` images. Errors take at most half of the gallery when enough other images exist, so
    /// correct detections are always shown too. Without a threshold: every image by falling score.
    public static func arrange(_ images: [ScoredImage], threshold: Double?, limit: Int) -> [ScoredImage] {
        let limit = Swift.max(0, limit)
        let byFallingScore = images.sorted { $0.score > $1.score }
        guard let threshold else { return Array(byFallingScore.prefix(limit)) }
        let falsePositives = byFallingScore.filter { Verdict($0, threshold: threshold) == .falsePositive }
        let falseNegatives = byFallingScore.reversed().filter { Verdict($0, threshold: threshold) == .falseNegative }
        let others = byFallingScore.filter { !Verdict($0, threshold: threshold).isError }
        let errors = falsePositives + falseNegatives
        let errorsShown = Swift.min(errors.count, limit - Swift.min(others.count, limit / 2))
        return Array((errors.prefix(errorsShown) + others).prefix(limit))
    }
}
