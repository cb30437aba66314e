/// Image-level ranking metrics of anomaly scores against binary labels (`true` = defect):
/// AUROC, average precision, F1-max, the ROC and precision-recall curves, TPR at a fixed FPR and
/// FPR at a fixed TPR. Values match scikit-learn (`roc_auc_score`, `average_precision_score`,
/// `roc_curve(drop_intermediate=False)`, `precision_recall_curve`), ties included.
///
/// The scores are sorted once; every metric reads the same confusion counts.
///
/// ```swift
/// let ranking = try BinaryRanking(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
/// try ranking.auroc()              // 0.75
/// try ranking.averagePrecision()   // 0.8333...
/// ```
/// Undefined cases throw ``MetricsError`` of kind `.undefined`: AUROC, the ROC curve and the rates
/// with one class only; AP, F1-max and the precision-recall curve without any defect.
public struct BinaryRanking: Sendable {
    /// The distinct scores, highest first.
    public let thresholds: [Double]
    /// `truePositives[i]`: defects scoring `>= thresholds[i]`.
    public let truePositives: [Int]
    /// `falsePositives[i]`: normal samples scoring `>= thresholds[i]`.
    public let falsePositives: [Int]
    /// The number of defect and of normal samples.
    public let positives: Int, negatives: Int
    private let summary: RankingAccumulator

    /// Sorts `scores` (any finite values; higher means more anomalous) with their `labels`.
    /// - Throws: ``MetricsError`` when the counts differ, the input is empty or a score is not finite.
    public init<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) throws {
        try validate(scores, labels, "ranking")
        let values = scores.map { Double($0) }
        let order = values.indices.sorted { values[$0] > values[$1] }
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        var accumulator = RankingAccumulator(positives: positives, negatives: labels.count - positives)
        var thresholds: [Double] = [], tps: [Int] = [], fps: [Int] = []
        var start = 0
        while start < order.count {
            let threshold = values[order[start]]
            var groupPositives = 0, end = start
            while end < order.count && values[order[end]] == threshold {
                if labels[order[end]] { groupPositives += 1 }
                end += 1
            }
            accumulator.add(threshold: threshold, positives: groupPositives, negatives: end - start - groupPositives)
            thresholds.append(threshold)
            tps.append(accumulator.truePositives)
            fps.append(accumulator.falsePositives)
            start = end
        }
        self.thresholds = thresholds
        self.truePositives = tps
        self.falsePositives = fps
        self.positives = accumulator.positives
        self.negatives = accumulator.negatives
        self.summary = accumulator
    }

    /// The area under the ROC curve (trapezoidal; ties count one half).
    public func auroc() throws -> Double { try summary.auroc("auroc") }

    /// Average precision `Σ (R_k − R_{k−1}) P_k` (scikit-learn's definition, no interpolation).
    public func averagePrecision() throws -> Double { try summary.averagePrecision("average precision") }

    /// The best F1 over all thresholds, with its threshold.
    public func f1Max() throws -> F1Max { try summary.f1Max("F1-max") }

    /// The ROC curve with one point per distinct score plus (0, 0) at threshold +∞ first: scikit-learn's
    /// `roc_curve(..., drop_intermediate=False)`.
    public func rocCurve() throws -> ROCCurve {
        guard positives > 0, negatives > 0 else { throw MetricsError.singleClass("ROC curve", positives: positives) }
        return ROCCurve(
            falsePositiveRates: [0] + falsePositives.map { Double($0) / Double(negatives) },
            truePositiveRates: [0] + truePositives.map { Double($0) / Double(positives) },
            thresholds: [.infinity] + thresholds)
    }

    /// The precision-recall curve in scikit-learn's order: thresholds ascending, then a last point
    /// (precision 1, recall 0) without a threshold.
    public func precisionRecallCurve() throws -> PrecisionRecallCurve {
        guard positives > 0 else { throw MetricsError.singleClass("precision-recall curve", positives: 0) }
        let precision = zip(truePositives, falsePositives).map { Double($0) / Double($0 + $1) }
        let recall = truePositives.map { Double($0) / Double(positives) }
        return PrecisionRecallCurve(precision: precision.reversed() + [1], recall: recall.reversed() + [0],
                                    thresholds: thresholds.reversed())
    }

    /// The highest TPR among the operating points whose FPR is at most `rate` (no interpolation:
    /// every reported point is reachable with the returned threshold).
    public func truePositiveRate(atFalsePositiveRate rate: Double) throws -> OperatingPoint {
        guard (0...1).contains(rate) else {
            throw MetricsError(.invalidArgument, "TPR at FPR", "the false positive rate \(rate) is outside 0...1")
        }
        let curve = try rocCurve()
        // FPR rises along the curve, so the last point within the limit has the highest TPR.
        let index = curve.falsePositiveRates.lastIndex { $0 <= rate } ?? 0
        return curve.point(index)
    }

    /// The lowest FPR among the operating points whose TPR is at least `rate`.
    public func falsePositiveRate(atTruePositiveRate rate: Double) throws -> OperatingPoint {
        guard (0...1).contains(rate) else {
            throw MetricsError(.invalidArgument, "FPR at TPR", "the true positive rate \(rate) is outside 0...1")
        }
        let curve = try rocCurve()
        let index = curve.truePositiveRates.firstIndex { $0 >= rate } ?? curve.truePositiveRates.count - 1
        return curve.point(index)
    }
}

/// Receiver operating characteristic: FPR and TPR for each threshold, thresholds descending.
public struct ROCCurve: Sendable, Equatable, Codable {
    /// The share of normal samples scoring `>= thresholds[i]`, rising from 0 to 1.
    public let falsePositiveRates: [Double]
    /// The share of defects scoring `>= thresholds[i]`, rising from 0 to 1.
    public let truePositiveRates: [Double]
    /// `thresholds[0]` is +∞ (nothing is called a defect).
    public let thresholds: [Double]

    func point(_ index: Int) -> OperatingPoint {
        OperatingPoint(threshold: thresholds[index], falsePositiveRate: falsePositiveRates[index],
                       truePositiveRate: truePositiveRates[index])
    }
}

/// Precision and recall for each threshold (ascending); both arrays hold one more entry than
/// `thresholds`: the final precision 1, recall 0.
public struct PrecisionRecallCurve: Sendable, Equatable, Codable {
    /// `TP / (TP + FP)` at each threshold, then 1.
    public let precision: [Double]
    /// `TP / P` at each threshold, then 0.
    public let recall: [Double]
    /// The distinct scores, ascending.
    public let thresholds: [Double]
}

/// One point of a ROC curve: calling `score >= threshold` a defect gives these rates.
public struct OperatingPoint: Sendable, Equatable, Codable {
    /// The score threshold (`+∞` calls nothing a defect).
    public let threshold: Double
    /// The share of normal samples called defects.
    public let falsePositiveRate: Double
    /// The share of defects found.
    public let truePositiveRate: Double
}

/// The area under the ROC curve of `scores` against `labels` (`true` = defect); see ``BinaryRanking``.
public func auroc<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) throws -> Double {
    try BinaryRanking(scores: scores, labels: labels).auroc()
}

/// Average precision of `scores` against `labels`; see ``BinaryRanking``.
public func averagePrecision<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) throws -> Double {
    try BinaryRanking(scores: scores, labels: labels).averagePrecision()
}

/// The best F1 and its threshold; see ``BinaryRanking``.
public func f1Max<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) throws -> F1Max {
    try BinaryRanking(scores: scores, labels: labels).f1Max()
}
