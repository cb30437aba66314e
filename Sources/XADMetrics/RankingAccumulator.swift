/// Streams the samples of a ranking one tie group at a time, highest score first, and keeps the
/// running sums of AUROC, average precision and F1-max.
///
/// Both the image path (a few thousand sorted scores) and the pixel path (millions of radix-sorted
/// pixels) feed it, so the definitions live in one place:
/// - AUROC is the trapezoidal area under (FPR, TPR) with (0, 0) first, as scikit-learn's
///   `roc_auc_score`; a tie group is one straight segment, so ties count one half. The area is
///   summed in integers (`Σ Δfp · (tp + tp_prev)`, divided by `2PN` once), hence exact.
/// - Average precision is `Σ (R_k − R_{k−1}) · P_k` over thresholds, as scikit-learn's
///   `average_precision_score` (no interpolation).
/// - F1 at a threshold is `2·TP / (P + TP + FP)` (= `2PR / (P + R)`); the best one wins and, among
///   equal scores, the lowest threshold (anomalib's `F1Max` takes the first maximum in ascending order).
struct RankingAccumulator {
    /// The number of positive (defect) and negative samples in the whole ranking.
    let positives: Int, negatives: Int
    private(set) var truePositives = 0, falsePositives = 0
    private var doubledArea = 0  // Σ Δfp · (tp + tp_prev) = 2·P·N·AUROC
    private var precisionSum = 0.0  // Σ Δtp · precision = P·AP
    private var bestF1TruePositives = 0, bestF1Denominator = 1
    private var bestF1Threshold = Double.infinity

    init(positives: Int, negatives: Int) {
        self.positives = positives
        self.negatives = negatives
    }

    /// Adds every sample whose score equals `threshold` (lower than all earlier ones).
    @inline(__always)
    mutating func add(threshold: Double, positives groupPositives: Int, negatives groupNegatives: Int) {
        let tp = truePositives + groupPositives, fp = falsePositives + groupNegatives
        doubledArea &+= groupNegatives &* (tp &+ truePositives)
        if groupPositives > 0 { precisionSum += Double(groupPositives) * Double(tp) / Double(tp + fp) }
        // F1 = 2tp / (P + tp + fp); compare tp/denominator fractions by cross-multiplication
        // (exact in Int, and no division per threshold on millions of pixels).
        let denominator = positives &+ tp &+ fp
        if tp &* bestF1Denominator >= bestF1TruePositives &* denominator && positives > 0 {
            bestF1TruePositives = tp
            bestF1Denominator = denominator
            bestF1Threshold = threshold
        }
        truePositives = tp
        falsePositives = fp
    }

    /// The area under the ROC curve; needs both classes.
    func auroc(_ metric: String) throws -> Double {
        guard positives > 0, negatives > 0 else { throw MetricsError.singleClass(metric, positives: positives) }
        return Double(doubledArea) / (2 * Double(positives) * Double(negatives))
    }

    /// Average precision; needs at least one positive (all positives give 1, as scikit-learn).
    func averagePrecision(_ metric: String) throws -> Double {
        guard positives > 0 else { throw MetricsError.singleClass(metric, positives: 0) }
        return precisionSum / Double(positives)
    }

    /// The best F1 and the lowest threshold that reaches it; needs at least one positive.
    func f1Max(_ metric: String) throws -> F1Max {
        guard positives > 0 else { throw MetricsError.singleClass(metric, positives: 0) }
        return F1Max(score: 2 * Double(bestF1TruePositives) / Double(bestF1Denominator), threshold: bestF1Threshold)
    }
}

/// The best F1 score over all thresholds and the threshold that reaches it (a sample is called a
/// defect when its score is `>= threshold`).
public struct F1Max: Sendable, Equatable, Codable {
    /// The harmonic mean of precision and recall at ``threshold``.
    public let score: Double
    /// The lowest score threshold at which ``score`` is reached.
    public let threshold: Double
}
