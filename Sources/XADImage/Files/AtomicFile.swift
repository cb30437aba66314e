import Foundation
import XADTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old file or the complete new one, never half of
/// one: the bytes go to a hidden temporary file in the destination's folder, are flushed to disk,
/// and the temporary file is renamed over the destination. On failure the temporary file is
/// removed and the destination is left as it was.
///
/// ```swift
/// try AtomicFile.write(Data("score,label\n".utf8), to: URL(fileURLWithPath: "scores.csv"))
/// try AtomicFile.write(to: URL(fileURLWithPath: "weights.bin")) { handle in
///     for chunk in chunks { try handle.write(contentsOf: chunk) }  // streams, no copy in memory
/// }
/// ```
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// - Throws: ``FileWriteError`` naming `url`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(contentsOf: data) }
    }

    /// Writes the file at `url` atomically with `body`, which writes (or streams) the content to a
    /// handle on the temporary file.
    /// - Throws: an error that `body` throws and that says its exit status, unchanged; any other
    ///   failure as ``FileWriteError`` naming `url`.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw FileWriteError(url.path, "cannot create a temporary file in \(folder.path) (\(String(cString: strerror(errno))))")
        }
        do {
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            defer { try? handle.close() }
            try body(handle)
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw FileWriteError(url.path, "cannot move the written file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if error is any StatusReportingError { throw error }
            throw FileWriteError(url.path, "cannot write the file (\(reason(error)))")
        }
    }

    /// The system's reason for a failed write. Foundation wraps `errno` in a Cocoa error whose own
    /// text says little (EFBIG reads "NSCocoaErrorDomain error 512"), so the underlying POSIX code
    /// is read when there is one, and a full disk or file-size limit is said in words.
    static func reason(_ error: any Error) -> String {
        let wrapped = error as NSError
        let posix = [wrapped, wrapped.userInfo[NSUnderlyingErrorKey] as? NSError]
            .compactMap { $0 }
            .first { $0.domain == NSPOSIXErrorDomain }
        guard let code = posix.map({ Int32($0.code) }) else { return error.localizedDescription }
        let system = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT: return "\(system): the disk is full"
        case EFBIG: return "\(system): the file-size limit was hit (ulimit -f)"
        default: return system
        }
    }
}

/// A file that could not be written: names the file and the reason, e.g.
/// `"out/model.xadm: cannot create a temporary file in out (No such file or directory)"`.
public struct FileWriteError: StatusReportingError, Equatable, Sendable {
    /// A destination that cannot be written (missing folder, permissions, full disk) is a data error.
    public var exitStatus: ExitStatus { .data }

    /// The path of the file that was to be written.
    public let path: String
    /// What went wrong, for a person.
    public let problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
