import Foundation
import Testing
@testable import XADData
import XADTensor
import XADTestSupport

/// The MAT v5 reader against files written by scipy.io.savemat (Tools/reference/gen_video.py),
/// compressed and not; values compared with what NumPy held. Tolerance: exact for integer and
/// logical arrays and float32; doubles within Float rounding (1e-6 relative).
@Suite("MAT v5 reader and label files")
struct MATFileTests {
    private static let folder = Fixture.directory.appendingPathComponent("video")

    @Test(arguments: ["labels_plain.mat", "labels_compressed.mat"])
    func readsNumericCellStructAndTextVariables(file: String) throws {
        let mat = try MATFile(contentsOf: Self.folder.appendingPathComponent(file))
        let reference = try Fixture("video/mat_reference.json")
        #expect(Set(mat.names) == ["d", "s", "u", "i", "b", "volLabel", "gt", "title", "info"])
        for name in ["d", "s", "u", "i", "b"] {
            let array = try #require(mat[name]?.array, "\(name)")
            let expected = try reference.tensor(name)
            #expect(array.shape == expected.shape, "\(name)")
            let actual = array.tensor().scalars
            let worst = zip(actual, expected.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-6, "\(name): \(worst)")
        }
        #expect(mat["d"]?.array?.elementClass == .double && mat["s"]?.array?.elementClass == .single)
        #expect(mat["u"]?.array?.elementClass == .uint8 && mat["i"]?.array?.elementClass == .int16)
        #expect(mat["b"]?.array?.isLogical == true)
        // Column-major subscript: MATLAB's d(3, 2) is row 2, column 1 0-based.
        #expect(mat["d"]?.array?[2, 1] == (try reference.tensor("d"))[2, 1])

        let volume = try #require(mat["volLabel"]?.cell)
        #expect(volume.shape == [1, 4] && volume.elements.count == 4)
        for index in 0..<4 {
            #expect(volume.elements[index].array?.tensor().scalars == (try reference.tensor("volLabel\(index)")).scalars)
        }
        #expect(try FrameLabels.fromMaskVolume(mat["volLabel"]!, file: file) == reference["volLabelFlags"]?.array?.compactMap(\.bool))

        let ranges = try #require(mat["gt"])
        #expect(ranges.cell?.elements[1].array?.tensor().scalars == (try reference.tensor("gt1")).scalars)
        let flags = try FrameLabels.fromRangeColumns(ranges, frameCounts: [6, 8, 3], file: file)
        #expect(flags[0] == [false, false, true, true, true, false])
        #expect(flags[1] == [true, true, false, false, false, false, true, true])
        #expect(flags[2] == [false, false, false])
        #expect(throws: LabelFileError.self) { try FrameLabels.fromRangeColumns(ranges, frameCounts: [4, 8, 3], file: file) }

        #expect(mat["title"]?.text == "avenue test")
        let info = try #require(mat["info"]?.structure)
        #expect(Set(info.fieldNames) == ["clips", "fps"] && info.elements.first?["fps"]?.array?.values == [25])
    }

    @Test func concatenatedNPYLabelsSplitByClip() throws {
        let url = Self.folder.appendingPathComponent("frame_labels.npy")
        let flags = try FrameLabels.fromConcatenatedNPY(url, frameCounts: [5, 7])
        #expect(flags == [[false, false, true, true, true], [false, false, false, true, true, false, false]])
        let error = try #require(throws: LabelFileError.self) { try FrameLabels.fromConcatenatedNPY(url, frameCounts: [5, 8]) }
        #expect(error.description.contains("frame_labels.npy") && error.description.contains("12 frame labels"))
    }

    /// Python's zlib wrote stored, fixed-Huffman and dynamic-Huffman streams; inflating must give
    /// back exactly the bytes it compressed.
    @Test(arguments: ["stored", "fixed", "dynamic"])
    func inflateMatchesPythonZlib(kind: String) throws {
        let cases = try Fixture("video/inflate_cases.json")
        let entry = try #require(cases[kind])
        guard case .object(let fields) = entry,
              let compressed = fields["compressed"]?.string.flatMap({ Data(base64Encoded: $0) }),
              let plain = fields["plain"]?.string.flatMap({ Data(base64Encoded: $0) }) else {
            Issue.record("bad fixture entry \(kind)"); return
        }
        #expect(try Inflate.zlib([UInt8](compressed)[...], limit: 1 << 20) == [UInt8](plain))
        #expect(throws: InflateError.self) { try Inflate.zlib([UInt8](compressed)[...], limit: plain.count - 1) }
        var damaged = [UInt8](compressed)
        damaged[damaged.count - 1] ^= 0xFF   // the checksum
        #expect(throws: InflateError.self) { try Inflate.zlib(damaged[...], limit: 1 << 20) }
        #expect(throws: InflateError.self) { try Inflate.zlib(damaged.prefix(damaged.count / 2), limit: 1 << 20) }
    }

    @Test func damagedFilesAreRefusedNamingTheFile() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("labels_compressed.mat"))
        for cut in [0, 60, 200, data.count - 7] {
            let error = try #require(throws: LabelFileError.self) { try MATFile(data: data.prefix(cut), name: "cut.mat") }
            #expect(error.description.hasPrefix("cut.mat: ") && error.exitStatus == .data)
        }
        var flipped = [UInt8](data)
        for index in stride(from: 140, to: flipped.count, by: 37) { flipped[index] ^= 0x5A }
        #expect(throws: LabelFileError.self) { try MATFile(data: Data(flipped), name: "flipped.mat") }
        // Random damage never traps: every variant either reads or throws.
        for file in ["labels_plain.mat", "labels_compressed.mat"] {
            let original = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
            var state: UInt64 = 0x2545_F491_4F6C_DD1D
            for _ in 0..<400 {
                var damaged = original
                for _ in 0..<3 {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let position = 128 + Int((state >> 33) % UInt64(original.count - 128))
                    damaged[position] = UInt8(truncatingIfNeeded: state >> 20)
                }
                _ = try? MATFile(data: Data(damaged), name: file)
            }
        }
        var header = [UInt8](repeating: 0x20, count: 600)
        header.replaceSubrange(512..<520, with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        let hdf5 = try #require(throws: LabelFileError.self) { try MATFile(data: Data(header), name: "v73.mat") }
        #expect(hdf5.description.contains("v7.3"))
    }
}
