import XADTensor
/// The error every weight reader and writer throws: it names the file and says what was wrong.
///
/// ```swift
/// do { _ = try NamedWeights(contentsOf: url) } catch let error as WeightError { print(error) }
/// // "evil.pt: the pickle names the global os.system, which a state dict never needs; refusing to load"
/// ```
public struct WeightError: StatusReportingError, Equatable, Sendable, CustomStringConvertible {
    /// A missing, corrupt or hostile weight file is bad data.
    public var exitStatus: ExitStatus { .data }

    /// What kind of problem this is, for callers that react to it.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened or read (missing, a folder, no permission).
        case unreadable
        /// The file ends before the data it announces.
        case truncated
        /// The bytes do not follow the format (bad header, bad JSON, inconsistent sizes).
        case malformed
        /// The file asks for something a weight file never needs (a foreign pickle global,
        /// an unknown opcode); it is refused without running anything.
        case forbidden
        /// A valid feature this reader does not implement (a compressed zip entry, say).
        case unsupported
        /// A tensor reaches outside the storage that holds it.
        case outOfRange
        /// No weight file was found, or a file lacks a tensor that was asked for.
        case notFound
        /// Writing the file failed.
        case writeFailed
    }

    /// The kind of problem.
    public let kind: Kind
    /// The file involved, as the caller named it.
    public let file: String
    /// A sentence for a person, naming the tensor, entry or byte involved.
    public let message: String

    /// An error about `file`; `message` completes the sentence "<file>: ...".
    public init(_ kind: Kind, _ file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
