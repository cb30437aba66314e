import Testing
import XADMetrics
import XADTestSupport

@Suite("Thresholds, normalisation and segmentation overlap")
struct ThresholdTests {
    // tolerance: 1e-12 against np.percentile (same interpolation, float64 on both sides).
    @Test(arguments: ["random_ties", "gaussian", "negative_scores"])
    func normalPercentileMatchesNumPy(name: String) throws {
        let entry = try #require(try Fixture("metrics/ranking.json")[name])
        let scores = try #require(entry.at("scores")?.floatList), labels = try #require(entry.at("labels")?.boolList)
        for (key, percent) in [("0", 0.0), ("50", 50.0), ("95", 95.0), ("99", 99.0), ("100", 100.0)] {
            let value = try ThresholdRule.normalPercentile(percent).threshold(scores: scores, labels: labels)
            #expect(abs(value - (try #require(entry.at("normal_percentile")?.at(key)?.double))) <= 1e-12)
        }
        // The F1-optimal rule is the F1-max threshold (anomalib's F1Max threshold).
        let f1Threshold = try ThresholdRule.f1Optimal.threshold(scores: scores, labels: labels)
        #expect(abs(f1Threshold - (try #require(entry.at("f1max_threshold")?.double))) <= 1e-6)
        #expect(try ThresholdRule.manual(0.25).threshold(scores: scores, labels: labels) == 0.25)
    }

    @Test func percentileRejectsBadArguments() {
        #expect(throws: MetricsError(.invalidArgument, "percentile", "101.0 is outside 0...100")) { try percentile([1, 2], 101) }
        #expect(throws: MetricsError(.empty, "percentile", "no values (no normal samples?)")) {
            try ThresholdRule.normalPercentile(99).threshold(scores: [0.5] as [Double], labels: [true])
        }
    }

    @Test func minMaxNormaliserFitsAppliesAndInverts() throws {
        let normaliser = try MinMaxNormaliser(fittedTo: [2, 4, 10] as [Float])
        #expect(normaliser.minimum == 2 && normaliser.maximum == 10)
        #expect(normaliser(6) == 0.5)
        #expect(normaliser(12) == 1)  // clamped
        #expect(normaliser.raw(0.25) == 4)
        var unclamped = normaliser
        unclamped.clamps = false
        #expect(unclamped(12) == 1.25)
        #expect(throws: MetricsError.self) { try MinMaxNormaliser(fittedTo: [3, 3] as [Double]) }
        #expect(throws: MetricsError.self) { try MinMaxNormaliser(fittedTo: [3, .nan] as [Double]) }
    }

    // tolerance: exact pixel counts, so 1e-12 on the ratios (NumPy float64).
    @Test(arguments: ["pro_synthetic"]) func iouAndDiceMatchNumPy(name: String) throws {
        let fixture = try Fixture("metrics/\(name).json")
        let (maps, masks) = try fixture.batch("maps", "masks")
        let overlap = try SegmentationOverlap(maps: maps, masks: masks, threshold: 0.5)
        #expect(abs(overlap.iou - (try #require(fixture["iou_0.5"]?.double))) <= 1e-12)
        #expect(abs(overlap.dice - (try #require(fixture["dice_0.5"]?.double))) <= 1e-12)
    }
}
