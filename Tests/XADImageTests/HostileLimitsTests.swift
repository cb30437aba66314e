import Foundation
import Testing
import XADTensor
import XADTestSupport
@testable import XADImage

/// `ReadingLimits`: parsed from `XAD_LIMITS` text, applied by the image, NumPy and video readers
/// before they allocate, and lowered per task (`ReadingLimits.using`) so that these tests run
/// beside others without changing their limits.
@Suite("Reading limits: images, NumPy arrays, videos")
struct HostileLimitsTests {
    @Test func parsesKeyValuePairsOverTheDefaults() throws {
        let limits = try ReadingLimits(parsing: " maxPixels=100 , maxVideoFrames=5")
        #expect(limits.maxPixels == 100 && limits.maxVideoFrames == 5)
        #expect(limits.maxHeaderBytes == ReadingLimits().maxHeaderBytes)
        #expect(try ReadingLimits(parsing: limits.description) == limits)
        #expect(try ReadingLimits(parsing: "") == ReadingLimits())
        #expect(ReadingLimits().maxPixels == 1 << 28 && ReadingLimits().maxCompressionRatio == 1032)
    }

    @Test(arguments: ["maxPixel=1", "maxPixels=0", "maxPixels=-3", "maxPixels=lots", "maxPixels"])
    func malformedSettingIsAUsageError(_ text: String) {
        let error = #expect(throws: ReadingLimitsError.self) { try ReadingLimits(parsing: text) }
        #expect(error?.exitStatus == .usage)
    }

    /// rgb8.png is 8 x 8 = 64 pixels: refused under a limit of 63, with the key to raise it named.
    @Test func imageOverALoweredPixelLimitIsRefused() throws {
        let data = try Data(contentsOf: imageFixture("rgb8.png"))
        let image = try Image(data: data, name: "rgb8.png")
        var limits = ReadingLimits()
        limits.maxPixels = image.width * image.height - 1
        let error = ReadingLimits.using(limits) {
            #expect(throws: ImageError.self) { try Image(data: data, name: "rgb8.png") }
        }
        #expect(error?.kind == .invalidSize)
        #expect(error?.message.contains("XAD_LIMITS=maxPixels=N") == true)
        limits.maxPixels += 1
        #expect(try ReadingLimits.using(limits) { try Image(data: data, name: "rgb8.png") } == image)
    }

    /// A `.npy` header whose shape product overflows `Int` (2^40 x 2^40) must throw, not trap.
    @Test func npyShapeThatOverflowsIsRefused() throws {
        let error = #expect(throws: ImageError.self) {
            try NPYFile.read(data: Self.npy(shape: "(1099511627776, 1099511627776)", dataBytes: 16), name: "absurd.npy")
        }
        #expect(error?.kind == .invalidSize)
        #expect(error?.message.contains("maxArrayBytes") == true)
    }

    /// A `[2, 2]` float32 array is 16 bytes as Float32: refused under a 15-byte array limit.
    @Test func npyArrayOverTheByteLimitIsRefused() throws {
        let data = Self.npy(shape: "(2, 2)", dataBytes: 16)
        #expect(try NPYFile.read(data: data, name: "small.npy").shape == [2, 2])
        var limits = ReadingLimits()
        limits.maxArrayBytes = 15
        let error = ReadingLimits.using(limits) {
            #expect(throws: ImageError.self) { try NPYFile.read(data: data, name: "small.npy") }
        }
        #expect(error?.message.contains("maxArrayBytes") == true)
        limits = ReadingLimits()
        limits.maxHeaderBytes = 10
        let header = ReadingLimits.using(limits) {
            #expect(throws: ImageError.self) { try NPYFile.read(data: data, name: "small.npy") }
        }
        #expect(header?.message.contains("maxHeaderBytes") == true)
    }

    /// A 12-frame clip is refused at opening under `maxVideoFrames=11` (the container declares 12)
    /// and under `maxVideoPixels` of 11 frames' worth.
    @Test func videoOverTheFrameLimitsIsRefused() throws {
        let folder = try temporaryFolder("limits-video")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("clip.avi")
        try runFFmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "12", "-c:v", "mpeg4", url.path])
        #expect(try VideoFile(url: url).declaredFrameCount == 12)
        var frames = ReadingLimits()
        frames.maxVideoFrames = 11
        let tooLong = ReadingLimits.using(frames) { #expect(throws: ImageError.self) { try VideoFile(url: url) } }
        #expect(tooLong?.message.contains("maxVideoFrames") == true)
        var pixels = ReadingLimits()
        pixels.maxVideoPixels = 11 * 64 * 48
        let tooBig = ReadingLimits.using(pixels) { #expect(throws: ImageError.self) { try VideoFile(url: url) } }
        #expect(tooBig?.message.contains("maxVideoPixels") == true)
    }

    /// A version 1 `.npy` file of little-endian float32 with `shape` and `dataBytes` zero bytes.
    static func npy(shape: String, dataBytes: Int) -> Data {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }\n"
        let length = header.utf8.count
        return Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
            + Data(header.utf8) + Data(count: dataBytes)
    }
}
