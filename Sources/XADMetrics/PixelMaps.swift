/// An anomaly score for every pixel of one image, row-major, with the name of its source (a file
/// name) so that errors can say which map was wrong.
public struct ScoreMap: Sendable {
    /// The size in pixels.
    public let height: Int, width: Int
    /// `height * width` finite scores, row-major; higher means more anomalous.
    public let scores: [Float]
    /// Where the map came from, e.g. `"maps/000.npy"`; used in error messages.
    public let name: String

    /// - Throws: ``MetricsError`` when the scores do not fill `height x width` or one is not finite.
    public init(height: Int, width: Int, scores: [Float], name: String = "score map") throws {
        guard height > 0, width > 0, scores.count == height * width else {
            throw MetricsError(.sizeMismatch, name, "\(scores.count) scores do not fill a \(height)x\(width) map")
        }
        if let index = scores.firstIndex(where: { !$0.isFinite }) {
            throw MetricsError(.nonFinite, name, "the score at row \(index / width), column \(index % width) is \(scores[index]); scores must be finite")
        }
        self.height = height
        self.width = width
        self.scores = scores
        self.name = name
    }
}

/// Which pixels of one image are defects (the ground truth), row-major.
public struct DefectMask: Sendable {
    /// The size in pixels.
    public let height: Int, width: Int
    /// `height * width` flags, row-major; `true` marks a defect pixel.
    public let isDefect: [Bool]
    /// Where the mask came from, e.g. `"masks/000.png"`; used in error messages.
    public let name: String

    /// - Throws: ``MetricsError`` when the flags do not fill `height x width`.
    public init(height: Int, width: Int, isDefect: [Bool], name: String = "mask") throws {
        guard height > 0, width > 0, isDefect.count == height * width else {
            throw MetricsError(.sizeMismatch, name, "\(isDefect.count) values do not fill a \(height)x\(width) mask")
        }
        self.height = height
        self.width = width
        self.isDefect = isDefect
        self.name = name
    }

    /// A mask from values scaled to 0...1 (a PNG divided by its maximum sample value, or an array).
    ///
    /// Without `threshold` the mask must be binary: every value 0 or 1, and 1 is a defect. With a
    /// threshold, a value above it is a defect (for masks that were resized or saved lossily).
    /// - Throws: ``MetricsError`` `.notBinary` naming the first other value and its position.
    public init(height: Int, width: Int, values: [Float], threshold: Float? = nil, name: String = "mask") throws {
        guard height > 0, width > 0, values.count == height * width else {
            throw MetricsError(.sizeMismatch, name, "\(values.count) values do not fill a \(height)x\(width) mask")
        }
        if let threshold {
            try self.init(height: height, width: width, isDefect: values.map { $0 > threshold }, name: name)
            return
        }
        if let index = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw MetricsError(.notBinary, name, "the mask is not binary: the value at row \(index / width), column \(index % width) is \(values[index]) (expected 0 or 1; give a mask threshold to binarise it)")
        }
        try self.init(height: height, width: width, isDefect: values.map { $0 == 1 }, name: name)
    }
}

/// Checks that maps and masks pair up one to one with equal sizes.
func validatePairs(_ maps: [ScoreMap], _ masks: [DefectMask]) throws {
    guard maps.count == masks.count else {
        throw MetricsError(.sizeMismatch, "pixel metrics", "\(maps.count) score maps but \(masks.count) masks")
    }
    guard !maps.isEmpty else { throw MetricsError(.empty, "pixel metrics", "no score maps given") }
    for (map, mask) in zip(maps, masks) where map.height != mask.height || map.width != mask.width {
        throw MetricsError(.sizeMismatch, map.name, "the map is \(map.height)x\(map.width) but its mask \(mask.name) is \(mask.height)x\(mask.width)")
    }
}
