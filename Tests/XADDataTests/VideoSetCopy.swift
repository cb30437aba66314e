import Foundation

/// A copy of one of the synthetic video sets in a temporary folder, to rearrange or damage
/// (`defer { copy.cleanUp() }`).
struct VideoSetCopy {
    let root: URL
    init(_ name: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-vdata-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: VideoFormatTests.sets.appendingPathComponent(name), to: root)
    }
    func cleanUp() { try? FileManager.default.removeItem(at: root) }
    func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: url(path)) }
    func remove(_ path: String) throws { try FileManager.default.removeItem(at: url(path)) }
}
