/// Pixel-level metrics over all pixels of all images: AUROC, average precision, F1-max and the
/// PRO curve with AUPRO, from one exact sort.
///
/// Every pixel becomes one 64-bit (score, region) pair; a radix sort orders them by descending
/// score in linear time, and one sweep over the tie groups feeds the ranking sums (see
/// ``BinaryRanking`` for the definitions, which match scikit-learn) and the PRO curve (see
/// ``PROCurve``, which matches anomalib). Memory is 16 bytes per pixel plus the curve; there is no
/// binning, so the values are exact.
///
/// ```swift
/// let metrics = try PixelMetrics(maps: maps, masks: masks)
/// try metrics.auroc()   // pixel AUROC
/// try metrics.aupro()   // AUPRO up to FPR 0.3
/// ```
public struct PixelMetrics: Sendable {
    /// The FPR at which the PRO curve is cut.
    public let fprLimit: Double
    /// The number of ground-truth regions (8-connected components) over all masks.
    public let regionCount: Int
    private let ranking: RankingAccumulator
    private let pro: PROCurve?

    /// Measures `maps` against `masks` (paired by position, equal sizes).
    /// - Parameter fprLimit: where the PRO curve ends, in (0, 1]; 0.3 by convention.
    /// - Throws: ``MetricsError`` when the counts or sizes differ (naming the map) or the limit is invalid.
    public init(maps: [ScoreMap], masks: [DefectMask], fprLimit: Double = 0.3) throws {
        guard fprLimit > 0 && fprLimit <= 1 else {
            throw MetricsError(.invalidArgument, "AUPRO", "the FPR limit \(fprLimit) is outside (0, 1]")
        }
        try validatePairs(maps, masks)
        self.fprLimit = fprLimit

        // Label regions, give them labels unique over all images, and pack (score, label) pairs.
        var pairs = [UInt64](); pairs.reserveCapacity(maps.reduce(0) { $0 + $1.scores.count })
        var regionSizes: [Int] = [0]
        for (map, mask) in zip(maps, masks) {
            let components = ConnectedComponents(mask)
            let offset = UInt32(regionSizes.count - 1)
            regionSizes += [Int](repeating: 0, count: components.count)
            for (score, local) in zip(map.scores, components.labels) {
                let region = local == 0 ? 0 : local + offset
                regionSizes[Int(region)] += 1
                pairs.append(RadixSort.pack(score, region))
            }
        }
        RadixSort.sortByKey(&pairs)

        let background = regionSizes[0], positives = pairs.count - background
        let reciprocalSizes = regionSizes.map { $0 > 0 ? 1 / Double($0) : 0 }
        var ranking = RankingAccumulator(positives: positives, negatives: background)
        var proAccumulator = PROAccumulator(fprLimit: fprLimit, backgroundPixels: background, regions: regionSizes.count - 1)
        let tracksPRO = background > 0 && regionSizes.count > 1
        pairs.withUnsafeBufferPointer { sorted in
            var start = 0
            while start < sorted.count {
                let key = sorted[start] >> 32
                var groupBackground = 0, end = start, overlapGain = 0.0
                while end < sorted.count && sorted[end] >> 32 == key {
                    let region = Int(truncatingIfNeeded: sorted[end] & 0xFFFF_FFFF)
                    if region == 0 { groupBackground += 1 } else { overlapGain += reciprocalSizes[region] }
                    end += 1
                }
                let threshold = Double(RadixSort.score(ofKey: UInt32(truncatingIfNeeded: key)))
                ranking.add(threshold: threshold, positives: end - start - groupBackground, negatives: groupBackground)
                if tracksPRO { proAccumulator.add(background: groupBackground, overlapGain: overlapGain) }
                start = end
            }
        }
        self.ranking = ranking
        self.regionCount = regionSizes.count - 1
        self.pro = tracksPRO ? proAccumulator.curve : nil
    }

    /// The area under the ROC curve over all pixels; needs defect and background pixels.
    public func auroc() throws -> Double { try ranking.auroc("pixel AUROC") }

    /// Average precision over all pixels; needs at least one defect pixel.
    public func averagePrecision() throws -> Double { try ranking.averagePrecision("pixel average precision") }

    /// The best pixel F1 and its threshold; needs at least one defect pixel.
    public func f1Max() throws -> F1Max { try ranking.f1Max("pixel F1-max") }

    /// The PRO curve up to ``fprLimit``; needs at least one region and one background pixel.
    public func proCurve() throws -> PROCurve {
        guard let pro else {
            let missing = regionCount == 0 ? "no mask has a defect region" : "every pixel is a defect"
            throw MetricsError(.undefined, "AUPRO", "\(missing); the PRO curve is undefined")
        }
        return pro
    }

    /// The normalised area under the PRO curve up to ``fprLimit`` (1 is perfect).
    public func aupro() throws -> Double { try proCurve().area }
}
