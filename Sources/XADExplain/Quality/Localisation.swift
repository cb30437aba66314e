import XADMetrics
import XADTensor

/// How well an explanation map points at the ground-truth defect: the localisation measures of
/// Quantus (pointing game, relevance mass and rank accuracy) and the detector metrics pixel AUROC
/// and AUPRO applied to the explanation instead of the anomaly map.
///
/// Maps are `[H, W]` relevance (larger is more relevant) and masks `DefectMask` of the same size
/// with at least one defect pixel. Maps are used as given: pass absolute values for a signed method
/// when the sign should not matter (Quantus' `abs=True`).
///
/// ```swift
/// let hit = try Localisation.pointingGame(explanation.map, mask: mask)       // 1 or 0
/// let mass = try Localisation.relevanceMassAccuracy(explanation.map, mask: mask)
/// ```
public enum Localisation {
    /// 1 when a pixel with the map's largest value lies in the defect, else 0 (Zhang et al. 2018;
    /// Quantus `PointingGame`: with ties, any maximum counts).
    public static func pointingGame(_ map: Tensor, mask: DefectMask) throws -> Double {
        let values = try checkedValues(map, mask: mask)
        guard let largest = values.max() else { return 0 }
        return values.indices.contains { values[$0] == largest && mask.isDefect[$0] } ? 1 : 0
    }

    /// The share of the total relevance that falls inside the defect, `Σ_{i∈mask} aᵢ / Σ aᵢ`
    /// (Arras et al. 2022; Quantus `RelevanceMassAccuracy`).
    /// - Throws: ``QualityError`` when the relevance sums to zero.
    public static func relevanceMassAccuracy(_ map: Tensor, mask: DefectMask) throws -> Double {
        let values = try checkedValues(map, mask: mask)
        var inside = 0.0, total = 0.0
        for (value, isDefect) in zip(values, mask.isDefect) {
            total += Double(value)
            if isDefect { inside += Double(value) }
        }
        guard total != 0 else { throw QualityError("relevance mass accuracy: the map's relevance sums to zero") }
        return inside / total
    }

    /// The share of the `K` most relevant pixels that lie in the defect, `K` = the defect's pixel
    /// count (Arras et al. 2022; Quantus `RelevanceRankAccuracy`). Ties go to the earlier pixel in
    /// row-major order.
    public static func relevanceRankAccuracy(_ map: Tensor, mask: DefectMask) throws -> Double {
        let values = try checkedValues(map, mask: mask)
        let defectCount = mask.isDefect.lazy.filter { $0 }.count
        let top = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(defectCount)
        return Double(top.lazy.filter { mask.isDefect[$0] }.count) / Double(defectCount)
    }

    /// Pixel AUROC and AUPRO (up to FPR `fprLimit`) of explanation maps against their masks, over
    /// all pixels of all images, with `PixelMetrics`.
    public static func pixelMetrics(_ maps: [Tensor], masks: [DefectMask], fprLimit: Double = 0.3) throws -> (auroc: Double, aupro: Double) {
        guard maps.count == masks.count else { throw QualityError("\(maps.count) explanation maps but \(masks.count) masks") }
        let scoreMaps = try zip(maps, masks).map { map, mask in
            try ScoreMap(height: mask.height, width: mask.width, scores: checkedValues(map, mask: mask), name: mask.name)
        }
        let metrics = try PixelMetrics(maps: scoreMaps, masks: masks, fprLimit: fprLimit)
        return (try metrics.auroc(), try metrics.aupro())
    }

    /// The map's values after checking it matches the mask, is finite, and the mask has a defect.
    static func checkedValues(_ map: Tensor, mask: DefectMask) throws -> [Float] {
        guard map.shape == [mask.height, mask.width] else {
            throw QualityError("the explanation map \(map.shape) does not match the mask \(mask.name) (\(mask.height)x\(mask.width))")
        }
        guard mask.isDefect.contains(true) else {
            throw QualityError("the mask \(mask.name) has no defect pixels; localisation needs a defect")
        }
        let values = map.scalars
        guard values.allSatisfy(\.isFinite) else { throw QualityError("the explanation map for \(mask.name) has non-finite values") }
        return values
    }
}
