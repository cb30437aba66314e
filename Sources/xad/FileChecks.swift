import Foundation

/// Writes `data` to `path` atomically (temporary file, then rename), with a one-line error.
func writeAtomically(_ data: Data, to path: String, what: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw CommandError.data("\(path): cannot write the \(what) (\(error.localizedDescription))")
    }
}

/// Fails early, before long work, when `path` cannot be written: its folder is missing or it is a folder.
func checkWritable(_ path: String, option: String) throws {
    let url = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
        throw CommandError.usage("\(option) \(path) is a folder; give a file name")
    }
    let parent = url.deletingLastPathComponent()
    guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
        throw CommandError.data("\(parent.path): no such folder for \(option) \(path); create it first")
    }
}
