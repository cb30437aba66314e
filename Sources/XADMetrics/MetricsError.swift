import XADTensor
/// The error every metric throws: it names the metric (or the file) and says what was wrong.
///
/// ```swift
/// do { _ = try auroc(scores: [0.1, 0.9], labels: [true, true]) }
/// catch let error as MetricsError { print(error) }
/// // "auroc: only one class (defect) is present in the labels; the metric is undefined"
/// ```
public struct MetricsError: StatusReportingError, Equatable, Sendable, CustomStringConvertible {
    /// Scores, labels or masks that a metric cannot use are bad data.
    public var exitStatus: ExitStatus { .data }

    /// What kind of problem this is, for callers that react to it.
    public enum Kind: String, Sendable, Equatable {
        /// The metric has no value for this input, e.g. AUROC when every label is the same.
        case undefined
        /// A score is NaN or infinite.
        case nonFinite
        /// Sizes disagree: scores and labels, or a score map and its mask.
        case sizeMismatch
        /// A mask holds values other than defect / no defect.
        case notBinary
        /// There is nothing to measure.
        case empty
        /// An argument such as a rate, percentile or threshold is out of range.
        case invalidArgument
    }

    /// The kind of problem.
    public let kind: Kind
    /// The metric or the file that refused its input, e.g. `"auroc"` or `"maps/001.npy"`.
    public let subject: String
    /// A sentence for a person, naming the values involved.
    public let message: String

    public init(_ kind: Kind, _ subject: String, _ message: String) {
        self.kind = kind
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }

    /// The error for a label set that holds only one class.
    static func singleClass(_ metric: String, positives: Int) -> MetricsError {
        let present = positives > 0 ? "defect" : "normal"
        return MetricsError(.undefined, metric, "only one class (\(present)) is present in the labels; the metric is undefined")
    }
}

/// Checks that scores are finite and as many as the labels; names the first offending sample.
func validate<S: BinaryFloatingPoint>(_ scores: [S], _ labels: [Bool], _ metric: String) throws {
    guard scores.count == labels.count else {
        throw MetricsError(.sizeMismatch, metric, "\(scores.count) scores but \(labels.count) labels")
    }
    guard !scores.isEmpty else { throw MetricsError(.empty, metric, "no scores given") }
    if let index = scores.firstIndex(where: { !$0.isFinite }) {
        throw MetricsError(.nonFinite, metric, "score \(index) is \(scores[index]); scores must be finite")
    }
}
