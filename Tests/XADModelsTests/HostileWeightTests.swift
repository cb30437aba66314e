import Foundation
import Testing
import XADTensor
import XADTestSupport
@testable import XADModels

/// The weight readers' limits (`ReadingLimits`): zip entries whose sizes lie, pickles nested too
/// deep or running too long, headers over the limit, storages the file does not hold. Each file is
/// made here, byte by byte, and each is refused with a `WeightError` naming the limit or the entry.
@Suite("Reading limits: weight files")
struct HostileWeightTests {
    /// A zip entry of 10 compressed bytes declaring 10 * 1033 bytes: more than deflate's 1032-fold
    /// ceiling, so a lie or a bomb, refused while the directory is read.
    @Test func zipEntryWithBombLikeRatioIsRefused() throws {
        let url = try Self.write(Self.zip(name: "archive/data.pkl", method: 8, stored: [UInt8](repeating: 0, count: 10),
                                          declaredSize: 10 * 1033), as: "bomb.pt")
        let error = #expect(throws: WeightError.self) { try ZipArchive(MappedFile(path: url.path)) }
        #expect(error?.kind == .malformed)
        #expect(error?.message.contains("the zip entry archive/data.pkl declares 10330 bytes from 10 compressed") == true)
        #expect(error?.message.contains("maxCompressionRatio") == true)
        // 1032-fold is what deflate can reach, so the directory reads.
        let honest = try Self.write(Self.zip(name: "a", method: 8, stored: [UInt8](repeating: 0, count: 10),
                                             declaredSize: 10 * 1032), as: "deflated.zip")
        #expect(try ZipArchive(MappedFile(path: honest.path)).entries.count == 1)
    }

    /// A stored entry whose declared size reaches past the end of the file.
    @Test func zipEntryLongerThanTheFileIsRefused() throws {
        var bytes = Self.zip(name: "archive/data.pkl", method: 0, stored: [0x80, 0x02, 0x2e], declaredSize: 3)
        // Patch both sizes in the central directory (offsets 20 and 24 of the record) to 4000.
        let central = bytes.count - 22 - 46 - "archive/data.pkl".utf8.count
        for offset in [central + 20, central + 24] { bytes.replaceSubrange(offset..<offset + 4, with: Self.le32(4000)) }
        let url = try Self.write(bytes, as: "long-entry.zip")
        let archive = try ZipArchive(MappedFile(path: url.path))
        let error = #expect(throws: WeightError.self) { try archive.data(of: archive.entries[0]) }
        #expect(error?.kind == .truncated)
    }

    /// `(((...)))` 12 deep: read under the default depth limit, refused under a limit of 10.
    @Test func pickleDeeperThanTheLimitIsRefused() throws {
        let depth = 12
        let bytes: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x28, count: depth) + [0x29]
            + [UInt8](repeating: 0x74, count: depth) + [0x2e]   // MARK x12, EMPTY_TUPLE, TUPLE x12, STOP
        #expect(try Unpickler.load(bytes, file: "deep.pkl").depth == depth + 1)
        var limits = ReadingLimits()
        limits.maxNestingDepth = 10
        let error = ReadingLimits.using(limits) {
            #expect(throws: WeightError.self) { try Unpickler.load(bytes, file: "deep.pkl") }
        }
        #expect(error?.message.contains("containers nest more than 10 deep") == true)
    }

    /// A pickle of 1,000 NONE/POP pairs runs 2,002 opcodes: refused under a limit of 2,000.
    @Test func pickleLongerThanTheLimitIsRefused() throws {
        let bytes: [UInt8] = [0x80, 0x02] + Array([[UInt8]](repeating: [0x4e, 0x30], count: 1000).joined()) + [0x4e, 0x2e]
        var limits = ReadingLimits()
        limits.maxPickleOpcodes = 2000
        let error = ReadingLimits.using(limits) {
            #expect(throws: WeightError.self) { try Unpickler.load(bytes, file: "long.pkl") }
        }
        #expect(error?.message.contains("more than 2000 opcodes") == true)
        limits.maxPickleOpcodes = 2003
        #expect(try ReadingLimits.using(limits) { try Unpickler.load(bytes, file: "long.pkl") }.kindName == "None")
    }

    /// small.safetensors' header is under 1 KB: refused under a 16-byte header limit.
    @Test func safetensorsHeaderOverTheLimitIsRefused() throws {
        let url = Fixture.directory.appendingPathComponent("weights/small.safetensors")
        var limits = ReadingLimits()
        limits.maxHeaderBytes = 16
        let error = ReadingLimits.using(limits) { #expect(throws: WeightError.self) { try Safetensors.read(url) } }
        #expect(error?.message.contains("maxHeaderBytes") == true)
    }

    /// A safetensors tensor of shape [1000, 1000] declared over 8 bytes of data: the declared size
    /// exceeds the file, refused before any tensor is made.
    @Test func safetensorsTensorLargerThanTheFileIsRefused() throws {
        let header = Array(#"{"w":{"dtype":"F32","shape":[1000,1000],"data_offsets":[0,4000000]}}"#.utf8)
        let url = try Self.write(Self.le64(header.count) + header + [UInt8](repeating: 0, count: 8), as: "short.safetensors")
        let error = #expect(throws: WeightError.self) { try Safetensors.read(url) }
        #expect(error?.kind == .truncated)
        #expect(error?.message.contains("tensor 'w' ends at data byte 4000000") == true)
    }

    // MARK: Building files

    /// A zip archive with one entry (local header, data, central directory, end record).
    static func zip(name: String, method: UInt16, stored: [UInt8], declaredSize: Int) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let sizes = le32(stored.count) + le32(declaredSize)
        let local = le32(0x0403_4b50) + le16(20) + le16(0) + le16(Int(method)) + le16(0) + le16(0) + le32(0) + sizes
            + le16(nameBytes.count) + le16(0) + nameBytes + stored
        let central = le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(Int(method)) + le16(0) + le16(0)
            + le32(0) + sizes + le16(nameBytes.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + nameBytes
        let end = le32(0x0605_4b50) + le16(0) + le16(0) + le16(1) + le16(1) + le32(central.count) + le32(local.count) + le16(0)
        return local + central + end
    }

    static func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func le64(_ value: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// `bytes` in a fresh temporary file called `name`.
    static func write(_ bytes: [UInt8], as name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
