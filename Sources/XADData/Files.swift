import Foundation
import XADImage

/// File-system helpers shared by the dataset formats.
enum Files {
    /// Image files directly inside `folder`, sorted bytewise by file name; empty if the folder is
    /// missing.
    static func images(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter(ImageFormat.isImageFileName)
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { folder.appendingPathComponent($0) }
    }

    /// Sub-folders of `folder`, sorted by name.
    static func subfolders(of folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }.filter(isFolder)
    }

    static func isFolder(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// `name` without its extension.
    static func stem(_ url: URL) -> String { url.deletingPathExtension().lastPathComponent }
}
