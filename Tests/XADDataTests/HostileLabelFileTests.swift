import Foundation
import Testing
@testable import XADData
import XADTensor
import XADTestSupport

/// The MAT v5 reader's limits (`ReadingLimits`): cells nested past the depth limit, dimensions the
/// file cannot hold, compressed elements that expand past the byte or ratio limit. Files are built
/// here element by element, or are scipy's labels_compressed.mat read under lowered limits.
@Suite("Reading limits: MAT label files")
struct HostileLabelFileTests {
    /// Cells nested 12 deep read under the default limit, refused under a limit of 10 (a stack
    /// overflow, not an error, before the limit existed for a few thousand levels).
    @Test func cellsNestedPastTheLimitAreRefused() throws {
        var value = Self.element(type: 14, [])   // an empty matrix
        for _ in 0..<11 { value = Self.matrix(classCode: 1, dimensions: [1, 1], body: value) }
        let file = Self.file(Self.matrix("v", classCode: 1, dimensions: [1, 1], body: value))
        #expect(try MATFile(data: file, name: "deep.mat")["v"]?.cell != nil)
        var limits = ReadingLimits()
        limits.maxNestingDepth = 10
        let error = ReadingLimits.using(limits) {
            #expect(throws: LabelFileError.self) { try MATFile(data: file, name: "deep.mat") }
        }
        #expect(error?.problem.contains("nest more than 10 deep") == true)
    }

    /// A struct array of 65536 x 65536 elements with no fields in a 200-byte file: it used to
    /// build 2^32 empty elements (minutes and gigabytes); now the dimensions are refused.
    @Test func dimensionsTheFileCannotHoldAreRefused() throws {
        let body = Self.element(type: 5, Self.le32(32)) + Self.element(type: 1, [])  // field name length 32, no names
        let file = Self.file(Self.matrix("s", classCode: 2, dimensions: [65536, 65536], body: body))
        let error = #expect(throws: LabelFileError.self) { try MATFile(data: file, name: "wide.mat") }
        #expect(error?.problem.contains("dimensions [65536, 65536] are more than the file holds") == true)
    }

    /// scipy's compressed labels (several KB inflated) under a 16-byte inflation limit, and under a
    /// compression ratio of 1 (every stream there expands more than that).
    @Test func compressedElementsPastTheByteOrRatioLimitAreRefused() throws {
        let url = Fixture.directory.appendingPathComponent("video/labels_compressed.mat")
        #expect(try MATFile(contentsOf: url).names.count == 9)
        var bytes = ReadingLimits()
        bytes.maxDecompressedBytes = 16
        let tooBig = ReadingLimits.using(bytes) { #expect(throws: LabelFileError.self) { try MATFile(contentsOf: url) } }
        #expect(tooBig?.problem.contains("output exceeds") == true)
        var ratio = ReadingLimits()
        ratio.maxCompressionRatio = 1
        let bomb = ReadingLimits.using(ratio) { #expect(throws: LabelFileError.self) { try MATFile(contentsOf: url) } }
        #expect(bomb?.problem.contains("output exceeds") == true)
    }

    // MARK: Building MAT v5 files

    /// The 128-byte header (little-endian) followed by `elements`.
    static func file(_ elements: [UInt8]) -> Data {
        var header = Array("MATLAB 5.0 MAT-file, made by HostileLabelFileTests".utf8)
        header += [UInt8](repeating: 0x20, count: 116 - header.count) + [UInt8](repeating: 0, count: 8)
        return Data(header + [0x00, 0x01, UInt8(ascii: "I"), UInt8(ascii: "M")] + elements)
    }

    /// A data element: type, size, data padded to 8 bytes.
    static func element(type: Int, _ data: [UInt8]) -> [UInt8] {
        le32(type) + le32(data.count) + data + [UInt8](repeating: 0, count: (8 - data.count % 8) % 8)
    }

    /// A `miMATRIX` element: flags (class), dimensions, name, `body`.
    static func matrix(_ name: String = "", classCode: Int, dimensions: [Int], body: [UInt8]) -> [UInt8] {
        let flags = element(type: 6, le32(classCode) + le32(0))
        let sizes = element(type: 5, dimensions.flatMap(le32))
        return element(type: 14, flags + sizes + element(type: 1, Array(name.utf8)) + body)
    }

    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
