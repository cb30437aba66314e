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
    /// Misclassified images first, then correct ones, in four groups: false positives (by falling
    /// score: the most confidently wrong first), false negatives (by rising score), true positives
    /// and true negatives (both by falling score). The `limit` places are dealt round-robin over
    /// the groups, so every kind of outcome is shown when it occurs. Without a threshold: the
    /// `limit` highest-scoring images.
    public static func arrange(_ images: [ScoredImage], threshold: Double?, limit: Int) -> [ScoredImage] {
        let byFallingScore = images.sorted { $0.score > $1.score }
        guard let threshold else { return Array(byFallingScore.prefix(Swift.max(0, limit))) }
        func group(_ verdict: Verdict) -> [ScoredImage] { byFallingScore.filter { Verdict($0, threshold: threshold) == verdict } }
        let groups = [group(.falsePositive), Array(group(.falseNegative).reversed()), group(.truePositive), group(.trueNegative)]
        var taken = [Int](repeating: 0, count: groups.count), placed = 0, dealing = true
        while dealing {
            dealing = false
            for index in groups.indices where placed < limit && taken[index] < groups[index].count {
                taken[index] += 1
                placed += 1
                dealing = true
            }
        }
        return zip(groups, taken).flatMap { $0.prefix($1) }
    }
}
