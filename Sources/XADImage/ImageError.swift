import XADTensor
import Foundation

/// Why an image or video could not be read, written or converted.
///
/// Every error names the file (or the in-memory source's name) and the problem, e.g.
/// `"mask.png: truncated PNG data (read 812 of 4096 bytes)"`.
public struct ImageError: StatusReportingError, Equatable, Sendable, CustomStringConvertible {
    /// An unreadable, corrupt or mis-sized image is bad data.
    public var exitStatus: ExitStatus { .data }

    /// The kind of failure, for callers that react differently to each.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened or read (missing, permissions, not a regular file).
        case unreadable
        /// The file holds zero bytes.
        case empty
        /// The bytes are not a format this module knows (PNG, JPEG, TIFF, BMP).
        case unknownFormat
        /// The format is known but this variant (e.g. compressed BMP, 12-bit JPEG) is not supported.
        case unsupported
        /// The data is damaged or ends early.
        case corrupt
        /// The header claims a width or height of 0, or a size above `Image.maximumPixelCount`.
        case invalidSize
        /// A tensor, sample array or parameter does not describe a valid image.
        case invalidArgument
        /// Encoding or writing the output failed.
        case writeFailed
        /// A video file could not be opened or decoded.
        case video
    }

    public let kind: Kind
    /// The file name or source name the error is about.
    public let source: String
    public let message: String

    public init(_ kind: Kind, _ source: String, _ message: String) {
        self.kind = kind
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}
