import Foundation

/// Why a report could not be written.
public enum ReportError: Error, CustomStringConvertible, Equatable {
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

    /// Puts `staging` at `destination`. An existing destination must be an empty folder or a
    /// folder holding `report.html`; anything else is left alone and refused.
    static func replace(_ destination: URL, with staging: URL) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        var previous: URL?
        if manager.fileExists(atPath: destination.path, isDirectory: &isFolder) {
            let contents = isFolder.boolValue ? (try? manager.contentsOfDirectory(atPath: destination.path)) ?? [] : ["?"]
            guard contents.isEmpty || contents.contains(Report.pageName) else {
                throw ReportError.notAReportFolder(destination.path)
            }
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
        if let previous { try? manager.removeItem(at: previous) }
    }
}
