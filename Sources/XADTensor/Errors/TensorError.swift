/// The error every tensor operation throws: it names the operation and says what was wrong.
///
/// ```swift
/// do { _ = try a + b } catch let error as TensorError { print(error) }
/// // "add: shapes [2, 3] and [4] do not broadcast"
/// ```
public struct TensorError: StatusReportingError, Equatable, Sendable, CustomStringConvertible {
    /// Non-finite values are bad data; every other tensor error is a bug in the caller.
    public var exitStatus: ExitStatus { kind == .nonFinite ? .data : .internal }

    /// What kind of mistake this is, for callers that react to it.
    public enum Kind: String, Sendable, Equatable {
        /// Operand shapes disagree (or an index is out of range of a shape).
        case shapeMismatch
        /// An argument such as a stride, padding, axis or count is invalid.
        case invalidArgument
        /// A value that must be finite is NaN or infinite.
        case nonFinite
        /// Differentiation was asked for something that is not on a tape.
        case notDifferentiable
    }

    /// The kind of mistake.
    public let kind: Kind
    /// The operation that refused its input, e.g. `"conv2d"`.
    public let operation: String
    /// A sentence for a person, naming the shapes or values involved.
    public let message: String

    public init(_ kind: Kind, _ operation: String, _ message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }

    static func shapes(_ operation: String, _ shapes: [[Int]], _ problem: String) -> TensorError {
        let listed = shapes.map { "\($0)" }.joined(separator: " and ")
        return TensorError(.shapeMismatch, operation, "shapes \(listed) \(problem)")
    }
}
