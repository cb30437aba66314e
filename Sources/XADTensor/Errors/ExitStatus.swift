/// What kind of failure an error is, as the exit status a command line gives it.
///
/// Every error XADKit throws says its own status (``StatusReportingError``), so a caller can tell
/// a wrong option (fix the command) from wrong data (fix the file) from a bug (report it) without
/// a central table of error types.
public enum ExitStatus: Int32, Sendable, Codable, CaseIterable {
    /// Success.
    case ok = 0
    /// The request is wrong: an unknown or missing option, a bad value, an unknown name, a method
    /// that does not apply to this detector.
    case usage = 1
    /// The data is wrong: a missing, empty, corrupt or mismatched file or folder, non-finite
    /// values, a model file that does not fit, statistics that cannot be computed from the data.
    case data = 2
    /// XADKit failed; worth a bug report.
    case `internal` = 3
}

/// An error that says which ``ExitStatus`` it stands for.
///
/// ```swift
/// enum ParseError: StatusReportingError {
///     case badLine(Int)
///     var exitStatus: ExitStatus { .data }
///     var description: String { ... }
/// }
/// ```
public protocol StatusReportingError: Error, CustomStringConvertible {
    /// The exit status a command line reports this error with.
    var exitStatus: ExitStatus { get }
}

extension ExitStatus {
    /// The status `error` stands for: its own when it says one, else ``internal``.
    public init(for error: any Error) {
        self = (error as? any StatusReportingError)?.exitStatus ?? .internal
    }
}
