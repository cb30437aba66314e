/// Min-max normalisation fitted on validation scores and applied later, so that a saved model's
/// scores (and any threshold on them) live in 0...1:
///
///     normalised(x) = (x − minimum) / (maximum − minimum), clamped to 0...1 when `clamps` is set
///
/// It is `Codable` so it can be saved with a model; ``raw(_:)`` maps a normalised threshold back.
///
/// ```swift
/// let normaliser = try MinMaxNormaliser(fittedTo: validationScores)
/// normaliser(12.5)        // 0.42...
/// normaliser.raw(0.5)     // the raw score that normalises to 0.5
/// ```
public struct MinMaxNormaliser: Sendable, Equatable, Codable {
    /// The smallest and largest validation score.
    public let minimum: Double, maximum: Double
    /// Whether results outside the validation range are clamped to 0...1 (default true).
    public var clamps: Bool

    /// A normaliser with a known range.
    /// - Throws: ``MetricsError`` `.invalidArgument` unless both bounds are finite and `minimum < maximum`.
    public init(minimum: Double, maximum: Double, clamps: Bool = true) throws {
        guard minimum.isFinite, maximum.isFinite, minimum < maximum else {
            throw MetricsError(.invalidArgument, "min-max normalisation", "the range \(minimum)...\(maximum) is empty or not finite")
        }
        self.minimum = minimum
        self.maximum = maximum
        self.clamps = clamps
    }

    /// Fits the range to `scores` (finite, not all equal).
    public init<Score: BinaryFloatingPoint>(fittedTo scores: [Score], clamps: Bool = true) throws {
        guard !scores.isEmpty else { throw MetricsError(.empty, "min-max normalisation", "no scores to fit") }
        if let index = scores.firstIndex(where: { !$0.isFinite }) {
            throw MetricsError(.nonFinite, "min-max normalisation", "score \(index) is \(scores[index]); scores must be finite")
        }
        let values = scores.map { Double($0) }
        guard let low = values.min(), let high = values.max(), low < high else {
            throw MetricsError(.invalidArgument, "min-max normalisation", "every score is \(values[0]); the range is empty")
        }
        try self.init(minimum: low, maximum: high, clamps: clamps)
    }

    /// The normalised score.
    public func callAsFunction(_ score: Double) -> Double {
        let value = (score - minimum) / (maximum - minimum)
        return clamps ? min(1, max(0, value)) : value
    }

    /// The raw score that normalises to `normalised` (the inverse map, without clamping).
    public func raw(_ normalised: Double) -> Double { minimum + normalised * (maximum - minimum) }
}
