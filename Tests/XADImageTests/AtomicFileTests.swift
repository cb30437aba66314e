import Foundation
import Testing
import XADImage
import XADTensor

/// AtomicFile: the destination holds the old content or the complete new one, and nothing else
/// is left in the folder.
@Suite("Atomic file writing")
struct AtomicFileTests {
    /// A fresh, empty folder for one test; removed by the caller.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func replacesTheFileAndLeavesNothingElse() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("table.csv")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("score,label\n0.5,1\n".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "score,label\n0.5,1\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["table.csv"])
    }

    @Test func streamsThroughAHandle() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("chunks.bin")
        try AtomicFile.write(to: url) { handle in
            for chunk in [[1, 2], [3], [4, 5, 6]] as [[UInt8]] { try handle.write(contentsOf: chunk) }
        }
        #expect(try [UInt8](Data(contentsOf: url)) == [1, 2, 3, 4, 5, 6])
    }

    /// A failing writer keeps the old file, removes its temporary file, and its own error comes through.
    @Test func aFailedWriteKeepsTheOldFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        let refusal = ImageError(.invalidArgument, "model", "refused half-way")
        #expect(throws: refusal) {
            try AtomicFile.write(to: url) { handle in
                try handle.write(contentsOf: Data("half".utf8))
                throw refusal
            }
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.bin"])
    }

    @Test func aMissingFolderOrAFolderInTheWayIsNamed() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no/such/out.npy")
        let error = #expect(throws: FileWriteError.self) { try AtomicFile.write(Data([1]), to: missing) }
        #expect(error?.path == missing.path)
        #expect(error?.exitStatus == .data)
        #expect(error?.description.hasPrefix("\(missing.path): cannot create a temporary file in") == true)
        let inTheWay = folder.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: inTheWay, withIntermediateDirectories: false)
        let moved = #expect(throws: FileWriteError.self) { try AtomicFile.write(Data([1]), to: inTheWay) }
        #expect(moved?.description.contains("cannot move the written file into place") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["sub"])
    }

    /// A full disk is said in words with the file's name: the writer's bytes go to `/dev/full`,
    /// whose writes fail with ENOSPC through Foundation's `FileHandle` (wrapped in a Cocoa error).
    @Test func aFullDiskIsNamedInWords() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.xadm")
        let full = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        defer { try? full.close() }
        let error = #expect(throws: FileWriteError.self) {
            try AtomicFile.write(to: url) { _ in try full.write(contentsOf: Data(count: 4096)) }
        }
        #expect(error?.description == "\(url.path): cannot write the file (No space left on device: the disk is full)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
