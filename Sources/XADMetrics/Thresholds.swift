/// How to turn anomaly scores into decisions (`score >= threshold` is a defect). Thresholds are
/// plain values so that users can change them after a model is saved.
public enum ThresholdRule: Sendable, Equatable, Codable {
    /// The threshold with the best F1 on labelled validation scores.
    case f1Optimal
    /// A value chosen by hand.
    case manual(Double)
    /// The given percentile (0...100) of the scores of normal validation samples, e.g. 99: at
    /// most about 1% of normal samples are flagged.
    case normalPercentile(Double)

    /// The threshold this rule picks on validation `scores` and `labels` (`true` = defect).
    /// - Throws: ``MetricsError`` when the rule needs a class that is missing or an argument is out of range.
    public func threshold<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) throws -> Double {
        switch self {
        case .manual(let value):
            guard value.isFinite else { throw MetricsError(.invalidArgument, "threshold", "the manual threshold \(value) is not finite") }
            return value
        case .f1Optimal:
            return try f1Max(scores: scores, labels: labels).threshold
        case .normalPercentile(let percent):
            try validate(scores, labels, "percentile threshold")
            let normal = zip(scores, labels).filter { !$0.1 }.map { Double($0.0) }
            return try percentile(normal, percent)
        }
    }
}

/// The `percent`-th percentile of `values` with linear interpolation between order statistics
/// (NumPy's default `np.percentile(values, percent)`): the value at rank `(n − 1) · percent / 100`.
/// - Throws: ``MetricsError`` when `values` is empty, a value is not finite or `percent` is outside 0...100.
public func percentile(_ values: [Double], _ percent: Double) throws -> Double {
    guard (0...100).contains(percent) else {
        throw MetricsError(.invalidArgument, "percentile", "\(percent) is outside 0...100")
    }
    guard !values.isEmpty else { throw MetricsError(.empty, "percentile", "no values (no normal samples?)") }
    if let bad = values.first(where: { !$0.isFinite }) {
        throw MetricsError(.nonFinite, "percentile", "a value is \(bad); values must be finite")
    }
    let sorted = values.sorted()
    let rank = Double(sorted.count - 1) * percent / 100
    let below = Int(rank.rounded(.down)), above = min(below + 1, sorted.count - 1)
    let fraction = rank - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
}
