import Foundation

/// Windows BMP, read by this small decoder (the UCSD Ped2 ground-truth masks are BMP).
///
/// Read: uncompressed (`BI_RGB`) 1, 4 and 8-bit palette images, 24-bit BGR, 32-bit BGRX, and
/// 32-bit `BI_BITFIELDS` with 8-bit masks (alpha when the header has an alpha mask); bottom-up
/// (positive height) and top-down (negative height) rows; BITMAPCOREHEADER, INFOHEADER and V4/V5
/// headers. Palette images whose colours are all gray become 1-channel gray, others RGB.
/// Run-length compressed files are refused.
enum BMPCodec {
    static func decode(_ data: Data, source: String) throws -> Image {
        try data.withUnsafeBytes { raw in
            try decode(ByteReader(raw, file: source, context: "the BMP file") { _, file, message in
                ImageError(.corrupt, file, message)
            })
        }
    }

    private static func decode(_ file: ByteReader) throws -> Image {
        let source = file.file
        let pixelOffset = Int(try file.integer(UInt32.self, at: 10))
        let headerSize = Int(try file.integer(UInt32.self, at: 14))
        let isCore = headerSize == 12
        guard isCore || headerSize >= 40 else { throw ImageError(.corrupt, source, "BMP header size \(headerSize) is invalid") }
        let width = Int(isCore ? Int32(try file.integer(UInt16.self, at: 18)) : try file.integer(Int32.self, at: 18))
        let signedHeight = Int(isCore ? Int32(try file.integer(UInt16.self, at: 20)) : try file.integer(Int32.self, at: 22))
        let bitsPerPixel = Int(try file.integer(UInt16.self, at: isCore ? 24 : 28))
        let compression = isCore ? 0 : try file.integer(UInt32.self, at: 30)
        let height = abs(signedHeight)
        let topDown = signedHeight < 0

        let masks: [UInt32]?
        switch (compression, bitsPerPixel) {
        case (0, 1), (0, 4), (0, 8), (0, 24), (0, 32): masks = nil
        case (3, 32):
            // Masks follow a 40-byte header, or sit inside a V2+ header (alpha from V3 on).
            let red = try file.integer(UInt32.self, at: 54), green = try file.integer(UInt32.self, at: 58)
            let blue = try file.integer(UInt32.self, at: 62)
            let alpha = headerSize >= 56 ? try file.integer(UInt32.self, at: 66) : 0
            masks = [red, green, blue, alpha]
        default:
            throw ImageError(.unsupported, source, "BMP with \(bitsPerPixel) bits per pixel and compression \(compression)")
        }

        let palette = bitsPerPixel <= 8 ? try readPalette(file, headerSize: headerSize, isCore: isCore, bits: bitsPerPixel) : []
        let paletteIsGray = palette.allSatisfy { $0.0 == $0.1 && $0.1 == $0.2 }
        let hasAlpha = (masks?[3] ?? 0) != 0
        let channels = bitsPerPixel <= 8 ? (paletteIsGray ? 1 : 3) : (hasAlpha ? 4 : 3)
        try Image.validate(width: width, height: height, channels: channels, bitDepth: 8, source: source)

        let stride = (width * bitsPerPixel + 31) / 32 * 4
        let pixels = [UInt8](try file.bytes(at: pixelOffset, count: stride * height))
        var samples = [UInt16](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            let rowStart = (topDown ? y : height - 1 - y) * stride
            for x in 0..<width {
                let output = (y * width + x) * channels
                switch bitsPerPixel {
                case 1, 4, 8:
                    let bitOffset = x * bitsPerPixel
                    let byte = Int(pixels[rowStart + bitOffset / 8])
                    let index = (byte >> (8 - bitsPerPixel - bitOffset % 8)) & ((1 << bitsPerPixel) - 1)
                    guard index < palette.count else {
                        throw ImageError(.corrupt, source, "BMP palette index \(index) at (\(x), \(y)) exceeds \(palette.count) colours")
                    }
                    let colour = palette[index]
                    if channels == 1 {
                        samples[output] = UInt16(colour.0)
                    } else {
                        (samples[output], samples[output + 1], samples[output + 2]) =
                            (UInt16(colour.0), UInt16(colour.1), UInt16(colour.2))
                    }
                case 24 where masks == nil, 32 where masks == nil:
                    let pixel = rowStart + x * bitsPerPixel / 8
                    for channel in 0..<3 { samples[output + channel] = UInt16(pixels[pixel + 2 - channel]) }
                default:
                    let pixel = rowStart + x * 4
                    let value = UInt32(pixels[pixel]) | UInt32(pixels[pixel + 1]) << 8
                        | UInt32(pixels[pixel + 2]) << 16 | UInt32(pixels[pixel + 3]) << 24
                    for channel in 0..<channels {
                        samples[output + channel] = try field(value, mask: masks?[channel] ?? 0, source: source)
                    }
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: channels, bitDepth: 8, samples: samples)
    }

    /// Palette entries as (red, green, blue); BMP stores them blue first, 4 bytes each (3 in core files).
    private static func readPalette(_ file: ByteReader, headerSize: Int, isCore: Bool, bits: Int) throws -> [(UInt8, UInt8, UInt8)] {
        let declared = isCore ? 0 : Int(try file.integer(UInt32.self, at: 46))
        let count = declared == 0 ? 1 << bits : declared
        guard count <= 1 << bits else {
            throw ImageError(.corrupt, file.file, "BMP palette of \(count) colours for \(bits)-bit pixels")
        }
        let entrySize = isCore ? 3 : 4
        let table = [UInt8](try file.bytes(at: 14 + headerSize, count: count * entrySize))
        return (0..<count).map { index in
            let entry = index * entrySize
            return (table[entry + 2], table[entry + 1], table[entry])
        }
    }

    /// One 8-bit field of a 32-bit pixel selected by a `BI_BITFIELDS` mask.
    private static func field(_ value: UInt32, mask: UInt32, source: String) throws -> UInt16 {
        guard mask != 0 else { return 0 }
        let shift = UInt32(mask.trailingZeroBitCount)
        guard mask >> shift == 0xFF else {
            throw ImageError(.unsupported, source, "BMP bit-field mask \(String(mask, radix: 16)) is not 8 bits wide")
        }
        return UInt16((value & mask) >> shift)
    }
}
