import Testing
import XADMetrics
import XADTestSupport

/// Image-level ranking metrics against scikit-learn 1.9 and anomalib 2.7 (Tools/reference/gen_metrics.py).
@Suite("Ranking metrics against scikit-learn")
struct RankingTests {
    static let cases = ["random_ties", "gaussian", "constant", "perfect", "all_defect", "negative_scores"]

    // tolerance: 1e-6 absolute for AUROC, AP and every curve point (both sides compute in float64 from
    // the same float32 scores; only the summation order differs).
    @Test(arguments: cases) func matchesScikitLearn(name: String) throws {
        let entry = try #require(try Fixture("metrics/ranking.json")[name])
        let scores = try #require(entry.at("scores")?.floatList), labels = try #require(entry.at("labels")?.boolList)
        let ranking = try BinaryRanking(scores: scores, labels: labels)

        if let expected = entry.at("auroc")?.double {
            #expect(abs(try ranking.auroc() - expected) <= 1e-6)
            let roc = try ranking.rocCurve()
            #expect(allClose(roc.falsePositiveRates, try #require(entry.at("roc")?.at("fpr")?.doubles), 1e-6))
            #expect(allClose(roc.truePositiveRates, try #require(entry.at("roc")?.at("tpr")?.doubles), 1e-6))
            #expect(allClose(Array(roc.thresholds.dropFirst()), try #require(entry.at("roc")?.at("thresholds")?.doubles), 1e-6))
        } else {
            #expect(throws: MetricsError.self) { try ranking.auroc() }
        }
        if let expected = entry.at("average_precision")?.double {
            #expect(abs(try ranking.averagePrecision() - expected) <= 1e-6)
            let pr = try ranking.precisionRecallCurve()
            #expect(allClose(pr.precision, try #require(entry.at("pr")?.at("precision")?.doubles), 1e-6))
            #expect(allClose(pr.recall, try #require(entry.at("pr")?.at("recall")?.doubles), 1e-6))
            #expect(allClose(pr.thresholds, try #require(entry.at("pr")?.at("thresholds")?.doubles), 1e-6))
            // anomalib's F1Max adds 1e-10 to the denominator and works in float32: 1e-6.
            let f1 = try ranking.f1Max()
            #expect(abs(f1.score - (try #require(entry.at("f1max")?.double))) <= 1e-6)
            #expect(abs(f1.threshold - (try #require(entry.at("f1max_threshold")?.double))) <= 1e-6)
        }
    }

    @Test(arguments: ["random_ties", "gaussian", "negative_scores"])
    func ratesAtFixedOperatingPoints(name: String) throws {
        let entry = try #require(try Fixture("metrics/ranking.json")[name])
        let ranking = try BinaryRanking(scores: try #require(entry.at("scores")?.floatList), labels: try #require(entry.at("labels")?.boolList))
        for (rate, expected) in [("0.05", 0.05), ("0.1", 0.1), ("0.3", 0.3)] {
            let point = try ranking.truePositiveRate(atFalsePositiveRate: expected)
            #expect(abs(point.truePositiveRate - (try #require(entry.at("tpr_at_fpr")?.at(rate)?.double))) <= 1e-9)
            #expect(point.falsePositiveRate <= expected)
        }
        for (rate, expected) in [("0.8", 0.8), ("0.95", 0.95), ("1.0", 1.0)] {
            let point = try ranking.falsePositiveRate(atTruePositiveRate: expected)
            #expect(abs(point.falsePositiveRate - (try #require(entry.at("fpr_at_tpr")?.at(rate)?.double))) <= 1e-9)
        }
    }

    @Test func handComputedTiesCountOneHalf() throws {
        // One defect tied with one normal sample at 0.5: that pair counts 1/2, the others 1 each.
        let value = try auroc(scores: [0.1, 0.5, 0.5, 0.9] as [Double], labels: [false, false, true, true])
        #expect(value == 0.875)
        #expect(try averagePrecision(scores: [0.1, 0.4, 0.35, 0.8] as [Float], labels: [false, false, true, true]) == 0.8333333333333333)
    }

    @Test func undefinedAndInvalidInputsThrowClearErrors() throws {
        do {
            _ = try auroc(scores: [0.2, 0.4] as [Float], labels: [true, true])
            Issue.record("expected an error")
        } catch let error as MetricsError {
            #expect(error.kind == .undefined)
            #expect(error.description == "auroc: only one class (defect) is present in the labels; the metric is undefined")
        }
        #expect(throws: MetricsError(.undefined, "average precision", "only one class (normal) is present in the labels; the metric is undefined")) {
            try averagePrecision(scores: [0.2, 0.4] as [Float], labels: [false, false])
        }
        #expect(throws: MetricsError(.nonFinite, "ranking", "score 1 is nan; scores must be finite")) {
            try BinaryRanking(scores: [0.2, Float.nan], labels: [false, true])
        }
        #expect(throws: MetricsError(.sizeMismatch, "ranking", "2 scores but 3 labels")) {
            try BinaryRanking(scores: [0.2, 0.3] as [Double], labels: [false, true, true])
        }
        #expect(throws: MetricsError.self) {
            try BinaryRanking(scores: [0.2, 0.3] as [Double], labels: [false, true]).truePositiveRate(atFalsePositiveRate: 1.5)
        }
    }
}
