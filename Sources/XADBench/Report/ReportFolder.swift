import XADTensor
import Foundation

/// Why a report could not be written.
public enum ReportError: StatusReportingError, CustomStringConvertible, Equatable {
    /// A folder that cannot be written is a problem of the file system, not of the request.
    public var exitStatus: ExitStatus { .data }

    /// The output folder exists and holds something other than an XADKit report: not replaced.
    case notAReportFolder(String)
    /// A file or folder could not be written.
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .notAReportFolder(let path):
            "\(path) exists and is not an XADKit report folder (no \(Report.pageName)); choose a new or empty folder"
        case .cannotWrite(let path, let reason): "\(path): cannot write the report (\(reason))"
        }
    }
}

extension Report {
    /// Checks, before long work, that a report can be written to `folder`: it does not exist, or
    /// it is an empty folder or a previous report (a folder holding `report.html`).
    /// - Throws: ``ReportError/notAReportFolder(_:)`` otherwise.
    public static func checkDestination(_ folder: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else { return }
        let contents = isFolder.boolValue ? (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] : ["?"]
        guard contents.isEmpty || contents.contains(pageName) else { throw ReportError.notAReportFolder(folder.path) }
    }
}

/// Writing a report folder atomically: build it in a hidden folder beside the destination, then
/// rename it into place (moving a previous report aside first and deleting it after).
enum ReportFolder {
    /// A new, empty hidden folder beside `destination` (its parent is created when missing).
    static func staging(for destination: URL) throws -> URL {
        let parent = destination.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)", isDirectory: true)
        try create(staging)
        return staging
    }

    static func create(_ folder: URL) throws {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw ReportError.cannotWrite(folder.path, reason: error.localizedDescription)
        }
    }

    static func write(_ data: Data, to file: URL) throws {
        do { try data.write(to: file) } catch {
            throw ReportError.cannotWrite(file.path, reason: error.localizedDescription)
        }
    }

    /// Puts `staging` at `destination`. An existing destination must pass
    /// ``Report/checkDestination(_:)``; anything else is left alone and refused.
    static func replace(_ destination: URL, with staging: URL) throws {
        try Report.checkDestination(destination)
        var previous: URL?
        if FileManager.default.fileExists(atPath: destination.path) {
            let aside = staging.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)", isDirectory: true)
            guard rename(destination.path, aside.path) == 0 else {
                throw ReportError.cannotWrite(destination.path, reason: String(cString: strerror(errno)))
            }
            previous = aside
        }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let previous { _ = rename(previous.path, destination.path) }
            throw ReportError.cannotWrite(destination.path, reason: reason)
        }
        if let previous { try? FileManager.default.removeItem(at: previous) }
    }
}
