import XADMetrics
import XADTestSupport

/// Reading the metrics fixtures written by Tools/reference/gen_metrics.py.
extension JSONValue {
    /// The member `key` of an object (named so as not to clash with XADTestSupport's own helpers).
    func at(_ key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }
    var boolList: [Bool]? { array?.compactMap(\.bool) }
    var floatList: [Float]? { array?.compactMap(\.float) }
}

extension Fixture {
    /// A map and a mask stored as `{"shape": [h, w], "data": [...]}` entries.
    func mapAndMask(_ mapKey: String, _ maskKey: String) throws -> (ScoreMap, DefectMask) {
        let map = try tensor(mapKey), mask = try tensor(maskKey)
        return (try ScoreMap(height: map.shape[0], width: map.shape[1], scores: map.scalars, name: mapKey),
                try DefectMask(height: mask.shape[0], width: mask.shape[1], values: mask.scalars, name: maskKey))
    }

    /// A batch `[n, h, w]` split into maps and masks.
    func batch(_ mapsKey: String, _ masksKey: String) throws -> ([ScoreMap], [DefectMask]) {
        let maps = try tensor(mapsKey), masks = try tensor(masksKey)
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        let size = height * width
        let mapScalars = maps.scalars, maskScalars = masks.scalars
        var outMaps: [ScoreMap] = [], outMasks: [DefectMask] = []
        for i in 0..<count {
            outMaps.append(try ScoreMap(height: height, width: width, scores: Array(mapScalars[(i * size)..<((i + 1) * size)]), name: "map\(i)"))
            outMasks.append(try DefectMask(height: height, width: width, values: Array(maskScalars[(i * size)..<((i + 1) * size)]), name: "mask\(i)"))
        }
        return (outMaps, outMasks)
    }
}

/// True when every element of `actual` is within `tolerance` of `expected` (and the counts agree).
func allClose(_ actual: [Double], _ expected: [Double], _ tolerance: Double) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance }
}
