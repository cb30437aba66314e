import XADTensor

/// Pixel-level metrics over all pixels of all images: AUROC, average precision, F1-max and the
/// PRO curve with AUPRO, from one exact sort.
///
/// Normal pixels become 32-bit score keys and defect pixels 64-bit (score, region) pairs; radix
/// sorts order both by descending score in linear time, and one merged sweep over the tie groups feeds the ranking sums (see
/// ``BinaryRanking`` for the definitions, which match scikit-learn) and the PRO curve (see
/// ``PROCurve``, which matches anomalib). Memory is at most 16 bytes per pixel plus the curve; there is no
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
    /// - Parameters:
    ///   - maps: anomaly maps, one per image.
    ///   - masks: the ground-truth masks, one per map, each of its map's size.
    ///   - fprLimit: where the PRO curve ends, in (0, 1]; 0.3 by convention.
    /// - Throws: ``MetricsError`` when the counts or sizes differ (naming the map) or the limit is invalid.
    public init(maps: [ScoreMap], masks: [DefectMask], fprLimit: Double = 0.3) throws {
        guard fprLimit > 0 && fprLimit <= 1 else {
            throw MetricsError(.invalidArgument, "AUPRO", "the FPR limit \(fprLimit) is outside (0, 1]")
        }
        try validatePairs(maps, masks)
        self.fprLimit = fprLimit

        // Label regions with labels unique over all images. Normal pixels need only their score
        // (a 32-bit key); defect pixels carry their region (a 64-bit pair). Both sort separately
        // and one merge walks them in descending order.
        let components = parallelMap(masks) { ConnectedComponents($0) }
        var normalStarts: [Int] = [], defectStarts: [Int] = [], regionOffsets: [UInt32] = []
        var normalCount = 0, defectCount = 0, regionSizes = [0]
        for (map, regions) in zip(maps, components) {
            let defects = regions.sizes.reduce(0, +)
            normalStarts.append(normalCount)
            defectStarts.append(defectCount)
            regionOffsets.append(UInt32(regionSizes.count - 1))
            normalCount += map.scores.count - defects
            defectCount += defects
            regionSizes += regions.sizes
        }
        regionSizes[0] = normalCount
        var normalKeys = [UInt32](repeating: 0, count: normalCount)
        var defectPairs = [UInt64](repeating: 0, count: defectCount)
        normalKeys.withUnsafeMutableBufferPointer { normal in
            defectPairs.withUnsafeMutableBufferPointer { defect in
                Threads.parallelFor(maps.count) { image in
                    var nextNormal = normalStarts[image], nextDefect = defectStarts[image]
                    let offset = regionOffsets[image]
                    for (score, local) in zip(maps[image].scores, components[image].labels) {
                        if local == 0 {
                            normal[nextNormal] = RadixSort.descendingKey(score)
                            nextNormal += 1
                        } else {
                            defect[nextDefect] = RadixSort.pack(score, local + offset)
                            nextDefect += 1
                        }
                    }
                }
            }
        }
        RadixSort.sort(&normalKeys, keyShift: 0)
        RadixSort.sort(&defectPairs, keyShift: 32)

        let reciprocalSizes = regionSizes.map { $0 > 0 ? 1 / Double($0) : 0 }
        var ranking = RankingAccumulator(positives: defectPairs.count, negatives: normalKeys.count)
        var proAccumulator = PROAccumulator(fprLimit: fprLimit, backgroundPixels: normalKeys.count, regions: regionSizes.count - 1)
        let tracksPRO = !normalKeys.isEmpty && regionSizes.count > 1
        // Walk the defect pixels' tie groups in descending order. The normal pixels scoring above
        // a group only move the curves sideways (FPR up, TPR and overlap level), so each such run
        // is added as one step: that leaves every area exact and keeps the curves' corner points.
        normalKeys.withUnsafeBufferPointer { normal in
            defectPairs.withUnsafeBufferPointer { defect in
                func addNormalRun(_ start: Int, _ end: Int) {
                    guard end > start else { return }
                    ranking.add(threshold: Double(RadixSort.score(ofKey: normal[end - 1])), positives: 0, negatives: end - start)
                    if tracksPRO { proAccumulator.add(background: end - start, overlapGain: 0) }
                }
                var i = 0, j = 0
                while j < defect.count {
                    let key = UInt32(truncatingIfNeeded: defect[j] >> 32)
                    let runStart = i
                    while i < normal.count && normal[i] < key { i += 1 }
                    addNormalRun(runStart, i)
                    let firstNormal = i, firstDefect = j
                    while i < normal.count && normal[i] == key { i += 1 }
                    var overlapGain = 0.0
                    while j < defect.count && UInt32(truncatingIfNeeded: defect[j] >> 32) == key {
                        overlapGain += reciprocalSizes[Int(truncatingIfNeeded: defect[j] & 0xFFFF_FFFF)]
                        j += 1
                    }
                    ranking.add(threshold: Double(RadixSort.score(ofKey: key)), positives: j - firstDefect, negatives: i - firstNormal)
                    if tracksPRO { proAccumulator.add(background: i - firstNormal, overlapGain: overlapGain) }
                }
                addNormalRun(i, normal.count)
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

/// `transform` applied to every element, spread over `Threads.count` threads.
private func parallelMap<Element, Result>(_ elements: [Element], _ transform: (Element) -> Result) -> [Result] {
    var results = [Result?](repeating: nil, count: elements.count)
    results.withUnsafeMutableBufferPointer { results in
        Threads.parallelFor(elements.count) { results[$0] = transform(elements[$0]) }
    }
    return results.compactMap { $0 }
}
