import Testing
import XADMetrics
import XADTestSupport

/// Pixel AUROC / AP / F1-max against scikit-learn and anomalib 2.7, AUPRO and the PRO curve against
/// anomalib's `AUPRO` (maps min-max normalised to [0, 1] first, as anomalib needs).
@Suite("Pixel metrics and AUPRO against anomalib")
struct PixelMetricsTests {
    // tolerance: AUROC and AP 1e-6 (exact sums on both sides); AUPRO and PRO points 1e-4 against
    // anomalib (float32 cumulative sums) and 1e-6 against the float64 NumPy evaluation of the same
    // definition; F1-max 1e-6 (anomalib adds 1e-10 to the denominator).
    @Test func syntheticMapsMatchAnomalib() throws {
        let fixture = try Fixture("metrics/pro_synthetic.json")
        let (maps, masks) = try fixture.batch("maps", "masks")
        try expectMatches(PixelMetrics(maps: maps, masks: masks), fixture, prefix: "")
        let narrow = try PixelMetrics(maps: maps, masks: masks, fprLimit: 0.05)
        #expect(abs(try narrow.aupro() - (try #require(fixture["aupro_0.05"]?.double))) <= 1e-4)
        // Two squares touching at a corner are one 8-connected region: 2 + 1 + 1 regions.
        #expect(try PixelMetrics(maps: maps, masks: masks).regionCount == 4)
    }

    @Test func realMagneticTileMasksMatchAnomalib() throws {
        let fixture = try Fixture("metrics/pro_mtd.json")
        let count = try #require(fixture["count"]?.int)
        var maps: [ScoreMap] = [], masks: [DefectMask] = [], padded: [ScoreMap] = [], paddedMasks: [DefectMask] = []
        for index in 0..<count {
            let (map, mask) = try fixture.mapAndMask("map\(index)", "mask\(index)")
            maps.append(map)
            masks.append(mask)
            // anomalib measured each pair padded with background (score 0) to 65x65.
            var scores = [Float](repeating: 0, count: 65 * 65), flags = [Bool](repeating: false, count: 65 * 65)
            for y in 0..<map.height {
                for x in 0..<map.width {
                    scores[y * 65 + x] = map.scores[y * map.width + x]
                    flags[y * 65 + x] = mask.isDefect[y * map.width + x]
                }
            }
            padded.append(try ScoreMap(height: 65, width: 65, scores: scores))
            paddedMasks.append(try DefectMask(height: 65, width: 65, isDefect: flags))
        }
        try expectMatches(PixelMetrics(maps: padded, masks: paddedMasks), fixture, prefix: "padded_")
        // Maps of different sizes together: the float64 NumPy definition and scikit-learn.
        let ragged = try PixelMetrics(maps: maps, masks: masks)
        #expect(abs(try ragged.aupro() - (try #require(fixture["ragged_numpy_aupro_0.3"]?.double))) <= 1e-6)
        #expect(abs(try ragged.auroc() - (try #require(fixture["ragged_pixel_auroc"]?.double))) <= 1e-6)
        #expect(abs(try ragged.averagePrecision() - (try #require(fixture["ragged_pixel_average_precision"]?.double))) <= 1e-6)
    }

    private func expectMatches(_ metrics: PixelMetrics, _ fixture: Fixture, prefix: String) throws {
        #expect(abs(try metrics.aupro() - (try #require(fixture["\(prefix)aupro_0.3"]?.double))) <= 1e-4)
        #expect(abs(try metrics.aupro() - (try #require(fixture["\(prefix)numpy_aupro_0.3"]?.double))) <= 1e-6)
        // Our curve keeps only anomalib's corner points: each of its points is one of anomalib's,
        // and each of anomalib's points lies on our polyline.
        let curve = try metrics.proCurve()
        let rates = try #require(fixture["\(prefix)pro_fpr"]?.doubles), overlaps = try #require(fixture["\(prefix)pro_overlap"]?.doubles)
        for (x, y) in zip(curve.falsePositiveRates, curve.overlaps) {
            #expect(zip(rates, overlaps).contains { abs($0 - x) <= 1e-4 && abs($1 - y) <= 1e-4 })
        }
        for (x, y) in zip(rates, overlaps) {
            #expect(polyline(curve.falsePositiveRates, curve.overlaps, passesThrough: x, y, tolerance: 1e-4))
        }
        #expect(abs(try metrics.auroc() - (try #require(fixture["\(prefix)pixel_auroc"]?.double))) <= 1e-6)
        #expect(abs(try metrics.averagePrecision() - (try #require(fixture["\(prefix)pixel_average_precision"]?.double))) <= 1e-6)
        let f1 = try metrics.f1Max()
        #expect(abs(f1.score - (try #require(fixture["\(prefix)pixel_f1max"]?.double))) <= 1e-6)
        #expect(abs(f1.threshold - (try #require(fixture["\(prefix)pixel_f1max_threshold"]?.double))) <= 1e-6)
    }

    /// The radix-sorted pixel path (several chunks per pass above 65,536 pixels) against the
    /// comparison-sorted image path on the same values; ties and negative scores included.
    @Test func radixPathAgreesWithComparisonSort() throws {
        var generator = SystemRandomNumberGenerator()
        var maps: [ScoreMap] = [], masks: [DefectMask] = []
        for index in 0..<3 {
            let scores = (0..<(300 * 300)).map { _ in Float(Int.random(in: -5000...5000, using: &generator)) / 1000 }
            let flags = scores.map { $0 + Float.random(in: -3...3, using: &generator) > 2 }
            maps.append(try ScoreMap(height: 300, width: 300, scores: scores, name: "random\(index)"))
            masks.append(try DefectMask(height: 300, width: 300, isDefect: flags))
        }
        let pixels = try PixelMetrics(maps: maps, masks: masks)
        let ranking = try BinaryRanking(scores: maps.flatMap(\.scores), labels: masks.flatMap(\.isDefect))
        // tolerance: exact for AUROC (integer sums on both paths); 1e-12 for AP (same terms, same order).
        #expect(try pixels.auroc() == ranking.auroc())
        #expect(abs(try pixels.averagePrecision() - ranking.averagePrecision()) <= 1e-12)
        #expect(try pixels.f1Max() == ranking.f1Max())
    }

    @Test func perfectMapsScoreOne() throws {
        let mask = try DefectMask(height: 2, width: 3, isDefect: [true, false, false, false, false, true])
        let map = try ScoreMap(height: 2, width: 3, scores: [0.9, 0.1, 0.2, 0.1, 0.3, 0.8])
        let metrics = try PixelMetrics(maps: [map], masks: [mask])
        #expect(try metrics.auroc() == 1)
        #expect(try metrics.aupro() == 1)
        #expect(metrics.regionCount == 2)  // diagonal pixels at opposite corners do not touch
    }

    @Test func badInputNamesTheFile() throws {
        let mask = try DefectMask(height: 2, width: 2, isDefect: [true, false, false, false], name: "masks/a.png")
        #expect(throws: MetricsError(.sizeMismatch, "maps/a.npy", "the map is 1x4 but its mask masks/a.png is 2x2")) {
            try PixelMetrics(maps: [ScoreMap(height: 1, width: 4, scores: [0, 1, 2, 3], name: "maps/a.npy")], masks: [mask])
        }
        #expect(throws: MetricsError(.nonFinite, "maps/b.npy", "the score at row 1, column 0 is inf; scores must be finite")) {
            try ScoreMap(height: 2, width: 2, scores: [0, 1, .infinity, 3], name: "maps/b.npy")
        }
        #expect(throws: MetricsError(.notBinary, "masks/c.png", "the mask is not binary: the value at row 0, column 1 is 0.5 (expected 0 or 1; give a mask threshold to binarise it)")) {
            try DefectMask(height: 1, width: 2, values: [0, 0.5], name: "masks/c.png")
        }
        #expect(try DefectMask(height: 1, width: 2, values: [0, 0.6], threshold: 0.5).isDefect == [false, true])
        #expect(throws: MetricsError(.sizeMismatch, "pixel metrics", "1 score maps but 0 masks")) {
            try PixelMetrics(maps: [ScoreMap(height: 1, width: 1, scores: [0])], masks: [])
        }
        let normalOnly = try PixelMetrics(maps: [ScoreMap(height: 1, width: 2, scores: [0, 1])],
                                          masks: [DefectMask(height: 1, width: 2, isDefect: [false, false])])
        #expect(throws: MetricsError(.undefined, "AUPRO", "no mask has a defect region; the PRO curve is undefined")) {
            try normalOnly.aupro()
        }
    }

    /// Whether the polyline through (xs, ys) passes within `tolerance` of (x, y); vertical segments
    /// cover every y between their ends.
    private func polyline(_ xs: [Double], _ ys: [Double], passesThrough x: Double, _ y: Double, tolerance: Double) -> Bool {
        zip(xs.indices.dropLast(), xs.indices.dropFirst()).contains { i, k in
            guard x >= xs[i] - tolerance && x <= xs[k] + tolerance else { return false }
            if xs[k] - xs[i] <= tolerance { return y >= min(ys[i], ys[k]) - tolerance && y <= max(ys[i], ys[k]) + tolerance }
            let along = ys[i] + (ys[k] - ys[i]) * (x - xs[i]) / (xs[k] - xs[i])
            return abs(along - y) <= tolerance
        }
    }
}
