import Foundation
import Testing
import XADTensor
import XADTestSupport
@testable import XADImage

@Suite struct CodecEncodeTests {
    /// A deterministic test pattern with every sample different across channels.
    static func pattern(width: Int, height: Int, channels: Int, bitDepth: Int) throws -> Image {
        let maximum = bitDepth == 16 ? 65535 : 255
        let samples = (0..<(width * height * channels)).map { UInt16(($0 * 7919 + 13) % (maximum + 1)) }
        return try Image(width: width, height: height, channels: channels, bitDepth: bitDepth, samples: samples)
    }

    /// PNG is lossless: decode(encode(x)) == x for every channel count at 8 bits and 16-bit without alpha.
    @Test(arguments: [(1, 8), (2, 8), (3, 8), (4, 8), (1, 16), (3, 16)])
    func pngRoundTripIsExact(_ channels: Int, _ bitDepth: Int) throws {
        let image = try Self.pattern(width: 13, height: 7, channels: channels, bitDepth: bitDepth)
        #expect(try Image(data: image.encoded(as: .png), name: "round-trip.png") == image)
    }

    /// 16-bit alpha is premultiplied by libpng's simplified writer and un-premultiplied on read.
    /// tolerance: exact where alpha is 65535 (the case checked here).
    @Test func sixteenBitOpaqueAlphaRoundTripIsExact() throws {
        var image = try Self.pattern(width: 5, height: 3, channels: 4, bitDepth: 16)
        for pixel in 0..<15 { image.samples[pixel * 4 + 3] = 65535 }
        #expect(try Image(data: image.encoded(as: .png), name: "alpha16.png") == image)
    }

    /// JPEG is lossy. tolerance: mean abs difference below 2 levels on a smooth image at quality 95.
    @Test func jpegRoundTripIsClose() throws {
        let width = 32, height = 24
        let samples = (0..<(width * height * 3)).map { index -> UInt16 in
            let pixel = index / 3, channel = index % 3
            return UInt16((pixel % width) * 4 + (pixel / width) * 2 + channel * 20)
        }
        let image = try Image(width: width, height: height, channels: 3, samples: samples)
        let decoded = try Image(data: image.encoded(as: .jpeg, jpegQuality: 95), name: "smooth.jpg")
        #expect(decoded.width == width && decoded.height == height && decoded.channels == 3)
        let meanDifference = zip(decoded.samples, samples).map { abs(Double($0) - Double($1)) }.reduce(0, +)
            / Double(samples.count)
        #expect(meanDifference < 2)
    }

    @Test func jpegQualityOutOfRangeIsRefused() throws {
        let image = try Self.pattern(width: 4, height: 4, channels: 1, bitDepth: 8)
        #expect(throws: ImageError.self) { _ = try image.encoded(as: .jpeg, jpegQuality: 0) }
        #expect(throws: ImageError.self) { _ = try image.encoded(as: .bmp) }
    }

    /// `write(to:)` leaves exactly the target file in the folder (the temporary file is renamed).
    @Test func writeReplacesTargetAtomically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-codec-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.png")
        try Data("old contents".utf8).write(to: url)
        let image = try Self.pattern(width: 9, height: 5, channels: 3, bitDepth: 8)
        try image.write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.png"])
        #expect(try Image(contentsOf: url) == image)
        let missingFolder = folder.appendingPathComponent("no/such/folder/out.png")
        #expect(throws: FileWriteError.self) { try image.write(to: missingFolder) }
    }

    /// `toTensor` divides by 255 (or 65535); `init(tensor:)` clamps, rounds and inverts it.
    @Test func tensorConversionRoundTrips() throws {
        let image = try Image(width: 3, height: 1, channels: 2, samples: [0, 255, 128, 1, 2, 3])
        let tensor = image.toTensor()
        #expect(tensor.shape == [1, 2, 1, 3])
        #expect(tensor.scalars == ([0, 128, 2, 255, 1, 3] as [Float]).map { $0 / 255 })
        #expect(try Image(tensor: tensor) == image)
        let sixteen = try Self.pattern(width: 4, height: 3, channels: 3, bitDepth: 16)
        #expect(try Image(tensor: sixteen.toTensor(), bitDepth: 16) == sixteen)
        let outOfRange = try Tensor(shape: [1, 1, 2], scalars: [-0.5, 1.5])
        #expect(try Image(tensor: outOfRange).samples == [0, 255])
    }

    @Test func invalidTensorsAndSampleCountsAreRefused() throws {
        #expect(throws: ImageError.self) { _ = try Image(tensor: Tensor.zeros([2, 3, 4, 4])) }
        #expect(throws: ImageError.self) { _ = try Image(tensor: Tensor.zeros([1, 5, 4, 4])) }
        #expect(throws: ImageError.self) { _ = try Image(tensor: Tensor(shape: [1, 1, 1], scalars: [.nan])) }
        #expect(throws: ImageError.self) { _ = try Image(width: 2, height: 2, channels: 3, samples: [1, 2]) }
        #expect(throws: ImageError.self) { _ = try Image(width: 1, height: 1, channels: 1, samples: [256]) }
    }
}
