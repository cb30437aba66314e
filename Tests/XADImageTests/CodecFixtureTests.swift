import Foundation
import Testing
import XADTestSupport
@testable import XADImage

/// The pixels an independent decoder (Pillow; tifffile, or the written array, for 16-bit colour) reads from each
/// fixture file, written by Tools/reference/gen_images.py.
struct DecodedReference {
    let width: Int, height: Int, channels: Int, bitDepth: Int
    let samples: [UInt16]

    static let all: [String: DecodedReference] = {
        guard let fixture = try? Fixture("images/decoded.json") else { return [:] }
        var references: [String: DecodedReference] = [:]
        for key in fixture.keys {
            guard case .object(let entry)? = fixture[key], let width = entry["width"]?.int,
                  let height = entry["height"]?.int, let channels = entry["channels"]?.int,
                  let bitDepth = entry["bitDepth"]?.int, let samples = entry["samples"]?.ints else { continue }
            references[key] = DecodedReference(width: width, height: height, channels: channels,
                                               bitDepth: bitDepth, samples: samples.map { UInt16($0) })
        }
        return references
    }()
}

func imageFixture(_ name: String) -> URL {
    Fixture.directory.appendingPathComponent("images").appendingPathComponent(name)
}

/// The largest |a - b| over all samples (infinity when the counts differ).
func maximumDifference(_ a: [UInt16], _ b: [UInt16]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs(Double($0) - Double($1)) }.max() ?? 0
}

@Suite struct CodecFixtureTests {
    static let losslessFiles = [
        "gray8.png", "gray_alpha8.png", "rgb8.png", "rgba8.png", "palette.png", "palette_transparent.png",
        "bilevel.png", "gray16.png", "rgb16.png", "gamma_linear.png", "srgb_tagged.png",
        "rgb_uncompressed.tif", "rgb_lzw.tif", "gray_deflate.tif", "rgba_deflate.tif", "gray16_lzw.tif",
        "rgb16_deflate.tif", "rgb8_planar.tif", "rgb16_tiled.tif", "gray8_tiled_planar.tif", "gray_miniswhite.tif",
        "rgb24.bmp", "rgb24_top_down.bmp", "gray8.bmp", "palette8.bmp", "palette4.bmp", "bilevel.bmp", "rgba32.bmp",
        "bitfields32.bmp",
    ]

    /// Lossless formats: every sample equals the reference decoder's exactly.
    @Test(arguments: losslessFiles)
    func losslessFileMatchesReferenceExactly(_ name: String) throws {
        let reference = try #require(DecodedReference.all[name])
        let image = try Image(contentsOf: imageFixture(name))
        #expect(image.width == reference.width && image.height == reference.height)
        #expect(image.channels == reference.channels)
        #expect(image.bitDepth == reference.bitDepth)
        #expect(image.samples == reference.samples)
    }

    /// 16-bit PNG with alpha goes through libpng's premultiplied linear format and back.
    /// tolerance: alpha exact; colour within 65535 / (2 * alpha) rounded, i.e. 1 for alpha >= 40000.
    @Test func sixteenBitAlphaPNGIsWithinUnpremultiplyRounding() throws {
        let reference = try #require(DecodedReference.all["rgba16.png"])
        let image = try Image(contentsOf: imageFixture("rgba16.png"))
        #expect(image.channels == 4 && image.bitDepth == 16)
        let alpha = stride(from: 3, to: image.samples.count, by: 4)
        #expect(alpha.map { image.samples[$0] } == alpha.map { reference.samples[$0] })
        #expect(maximumDifference(image.samples, reference.samples) <= 1)
    }

    /// JPEG: TurboJPEG and Pillow's libjpeg(-turbo) use the same integer IDCT and upsampling.
    /// tolerance: max abs difference 1 level (of 255) per sample; measured 0 on these files.
    @Test(arguments: ["baseline420.jpg", "baseline444.jpg", "progressive.jpg", "gray.jpg"])
    func jpegMatchesPillowWithinTwoLevels(_ name: String) throws {
        let reference = try #require(DecodedReference.all[name])
        let image = try Image(contentsOf: imageFixture(name))
        #expect(image.width == reference.width && image.height == reference.height)
        #expect(image.channels == reference.channels && image.bitDepth == 8)
        #expect(maximumDifference(image.samples, reference.samples) <= 1)
    }

    @Test func formatComesFromMagicBytes() throws {
        for (name, format) in [("rgb8.png", ImageFormat.png), ("gray.jpg", .jpeg), ("rgb_lzw.tif", .tiff), ("rgb24.bmp", .bmp)] {
            #expect(ImageFormat.detect(try Data(contentsOf: imageFixture(name))) == format)
        }
        #expect(ImageFormat.detect(Data("hello".utf8)) == nil)
    }
}
