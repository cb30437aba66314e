import XADTensor

/// The percentile bootstrap (Efron 1979): a confidence interval for any statistic of a sample of
/// items (images), from the statistic recomputed on resamples drawn with replacement.
///
/// The interval is `[q(α/2), q(1 - α/2)]` of the resampled statistics, with `q` numpy's default
/// (linear) percentile; it is `scipy.stats.bootstrap(..., method="percentile")`. Seeded, so the
/// same items and seed give the same interval.
///
/// ```swift
/// let bootstrap = Bootstrap(resamples: 1000, seed: 0)
/// let interval = try bootstrap.meanInterval([0.61, 0.72, 0.58, 0.69])   // about 0.59...0.71
/// let auroc = try bootstrap.interval(items: scores.count) { picked in
///     try BinaryRanking(scores: picked.map { scores[$0] }, labels: picked.map { labels[$0] }).auroc()
/// }
/// ```
public struct Bootstrap: Sendable, Equatable {
    /// Resamples drawn. Default 1000.
    public var resamples: Int
    /// The interval's confidence, in (0, 1). Default 0.95.
    public var confidence: Double
    /// The seed of the resampling.
    public var seed: UInt64

    public init(resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0) {
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// The interval of `statistic` over `items` items: `statistic` receives the indices of one
    /// resample (with repeats). A resample on which the statistic is undefined (it throws
    /// ``MetricsError`` of kind `undefined`, e.g. AUROC of a resample with one class) is left out.
    /// - Throws: ``MetricsError`` of kind `invalidArgument` for settings out of range, `empty` for
    ///   no items, `undefined` when the statistic is undefined on every resample.
    public func interval(items: Int, statistic: ([Int]) throws -> Double) throws -> ClosedRange<Double> {
        guard resamples >= 1 else { throw MetricsError(.invalidArgument, "bootstrap", "resamples must be at least 1, got \(resamples)") }
        guard confidence > 0, confidence < 1 else {
            throw MetricsError(.invalidArgument, "bootstrap", "the confidence must be in (0, 1), got \(confidence)")
        }
        guard items > 0 else { throw MetricsError(.empty, "bootstrap", "no items to resample") }
        var generator = SeededGenerator(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var picked = [Int](repeating: 0, count: items)
        for _ in 0..<resamples {
            for slot in picked.indices { picked[slot] = Int.random(in: 0..<items, using: &generator) }
            do { values.append(try statistic(picked)) } catch let error as MetricsError where error.kind == .undefined {}
        }
        guard !values.isEmpty else { throw MetricsError(.undefined, "bootstrap", "the statistic is undefined on every resample") }
        let tail = (1 - confidence) / 2 * 100
        return try Self.percentile(values, tail)...Self.percentile(values, 100 - tail)
    }

    /// The interval of the mean of `values`.
    public func meanInterval(_ values: [Double]) throws -> ClosedRange<Double> {
        try interval(items: values.count) { picked in picked.reduce(0) { $0 + values[$1] } / Double(picked.count) }
    }

    /// The `percent`-th percentile (0...100) of `values`, interpolated linearly between the two
    /// nearest ranks: numpy's `np.percentile` default.
    /// - Throws: ``MetricsError`` for no values or a percent outside 0...100.
    public static func percentile(_ values: [Double], _ percent: Double) throws -> Double {
        guard !values.isEmpty else { throw MetricsError(.empty, "percentile", "no values given") }
        guard (0...100).contains(percent) else { throw MetricsError(.invalidArgument, "percentile", "percent \(percent) is outside 0...100") }
        let sorted = values.sorted()
        let position = percent / 100 * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = Swift.min(below + 1, sorted.count - 1)
        return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
    }
}
