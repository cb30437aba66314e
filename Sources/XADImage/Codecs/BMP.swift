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
        let file = ByteReader(bytes: [UInt8](data), source: source)
        let pixelOffset = try file.uint32(at: 10)
        let headerSize = try file.uint32(at: 14)
        let isCore = headerSize == 12
        guard isCore || headerSize >= 40 else { throw ImageError(.corrupt, source, "BMP header size \(headerSize) is invalid") }
        let width = isCore ? try file.uint16(at: 18) : Int(Int32(bitPattern: UInt32(try file.uint32(at: 18))))
        let signedHeight = isCore ? try file.uint16(at: 20) : Int(Int32(bitPattern: UInt32(try file.uint32(at: 22))))
        let bitsPerPixel = try file.uint16(at: isCore ? 24 : 28)
        let compression = isCore ? 0 : try file.uint32(at: 30)
        let height = abs(signedHeight)
        let topDown = signedHeight < 0

        let masks: [UInt32]?
        switch (compression, bitsPerPixel) {
        case (0, 1), (0, 4), (0, 8), (0, 24), (0, 32): masks = nil
        case (3, 32):
            // Masks follow a 40-byte header, or sit inside a V2+ header (alpha from V3 on).
            let red = try file.uint32(at: 54), green = try file.uint32(at: 58), blue = try file.uint32(at: 62)
            let alpha = headerSize >= 56 ? try file.uint32(at: 66) : 0
            masks = [red, green, blue, alpha].map(UInt32.init)
        default:
            throw ImageError(.unsupported, source, "BMP with \(bitsPerPixel) bits per pixel and compression \(compression)")
        }

        let palette = bitsPerPixel <= 8 ? try readPalette(file, headerSize: headerSize, isCore: isCore, bits: bitsPerPixel) : []
        let paletteIsGray = palette.allSatisfy { $0.0 == $0.1 && $0.1 == $0.2 }
        let hasAlpha = (masks?[3] ?? 0) != 0
        let channels = bitsPerPixel <= 8 ? (paletteIsGray ? 1 : 3) : (hasAlpha ? 4 : 3)
        try Image.validate(width: width, height: height, channels: channels, bitDepth: 8, source: source)

        let stride = (width * bitsPerPixel + 31) / 32 * 4
        guard pixelOffset + stride * height <= file.bytes.count else {
            throw ImageError(.corrupt, source,
                             "truncated BMP: \(stride * height) bytes of pixels at offset \(pixelOffset), file has \(file.bytes.count)")
        }
        var samples = [UInt16](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            let rowStart = pixelOffset + (topDown ? y : height - 1 - y) * stride
            for x in 0..<width {
                let output = (y * width + x) * channels
                switch bitsPerPixel {
                case 1, 4, 8:
                    let bitOffset = x * bitsPerPixel
                    let byte = Int(file.bytes[rowStart + bitOffset / 8])
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
                    for channel in 0..<3 { samples[output + channel] = UInt16(file.bytes[pixel + 2 - channel]) }
                default:
                    let pixel = rowStart + x * 4
                    let value = UInt32(file.bytes[pixel]) | UInt32(file.bytes[pixel + 1]) << 8
                        | UInt32(file.bytes[pixel + 2]) << 16 | UInt32(file.bytes[pixel + 3]) << 24
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
        let declared = isCore ? 0 : try file.uint32(at: 46)
        let count = declared == 0 ? 1 << bits : declared
        guard count <= 1 << bits else {
            throw ImageError(.corrupt, file.source, "BMP palette of \(count) colours for \(bits)-bit pixels")
        }
        let entrySize = isCore ? 3 : 4
        let start = 14 + headerSize
        guard start + count * entrySize <= file.bytes.count else {
            throw ImageError(.corrupt, file.source, "truncated BMP palette")
        }
        return (0..<count).map { index in
            let entry = start + index * entrySize
            return (file.bytes[entry + 2], file.bytes[entry + 1], file.bytes[entry])
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

/// Little-endian reads that throw, rather than trap, past the end of a file.
private struct ByteReader {
    let bytes: [UInt8]
    let source: String

    func uint16(at offset: Int) throws -> Int {
        try check(offset, 2)
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int) throws -> Int {
        try check(offset, 4)
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    private func check(_ offset: Int, _ count: Int) throws {
        guard offset + count <= bytes.count else {
            throw ImageError(.corrupt, source, "truncated BMP header (\(bytes.count) bytes)")
        }
    }
}
