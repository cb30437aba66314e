import Foundation
import XADImage

/// An encoded image's width and height read from its header alone, so that the service can refuse
/// an image too large to decode (a small file can claim a huge size) before allocating pixels.
struct ImageDimensions: Equatable {
    let width: Int
    let height: Int

    var pixelCount: Int { width * height }
}

extension ImageDimensions {
    /// The header's size, or nil when the header is too short or malformed to say (the decoder then
    /// reports the problem).
    init?(of data: Data) {
        let bytes = [UInt8](data.prefix(1 << 16))
        let found: (Int, Int)?
        switch ImageFormat.detect(data) {
        case .png: found = Self.png(bytes)
        case .jpeg: found = Self.jpeg(bytes)
        case .bmp: found = Self.bmp(bytes)
        case .tiff: found = Self.tiff(bytes)
        case nil: found = nil
        }
        guard let (width, height) = found else { return nil }
        (self.width, self.height) = (width, height)
    }

    /// PNG: the IHDR chunk follows the 8-byte signature; width and height are big-endian at 16 and 20.
    private static func png(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 24 else { return nil }
        return (bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4))
    }

    /// JPEG: walks the marker segments to the first start-of-frame (SOF0...SOF15 but DHT, JPG and
    /// DAC), which holds precision, height and width.
    private static func jpeg(_ bytes: [UInt8]) -> (Int, Int)? {
        var offset = 2
        while offset + 9 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }   // fill byte
            if (0xD0...0xD9).contains(marker) || marker == 0x01 { offset += 2; continue }   // no length
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (bigEndian(bytes, offset + 7, 2), bigEndian(bytes, offset + 5, 2))
            }
            offset += 2 + bigEndian(bytes, offset + 2, 2)
        }
        return nil
    }

    /// BMP: a 12-byte core header holds 16-bit sizes at 18 and 20, later headers 32-bit signed
    /// ones at 18 and 22 (negative height: top-down rows).
    private static func bmp(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 26 else { return nil }
        if littleEndian(bytes, 14, 4) == 12 { return (littleEndian(bytes, 18, 2), littleEndian(bytes, 20, 2)) }
        let width = Int(Int32(truncatingIfNeeded: littleEndian(bytes, 18, 4)))
        let height = Int(Int32(truncatingIfNeeded: littleEndian(bytes, 22, 4)))
        return (abs(width), abs(height))
    }

    /// TIFF: the first image file directory's ImageWidth (256) and ImageLength (257) entries.
    private static func tiff(_ bytes: [UInt8]) -> (Int, Int)? {
        let little = bytes.first == 0x49
        let read = { (offset: Int, count: Int) in
            little ? littleEndian(bytes, offset, count) : bigEndian(bytes, offset, count)
        }
        let directory = read(4, 4)
        guard directory >= 8, directory + 2 <= bytes.count else { return nil }
        var width: Int?, height: Int?
        for entry in 0..<read(directory, 2) {
            let offset = directory + 2 + entry * 12
            guard offset + 12 <= bytes.count else { break }
            let type = read(offset + 2, 2)
            let value = type == 3 ? read(offset + 8, 2) : read(offset + 8, 4)
            switch read(offset, 2) {
            case 256: width = value
            case 257: height = value
            default: break
            }
        }
        guard let width, let height else { return nil }
        return (width, height)
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        guard offset + count <= bytes.count else { return 0 }
        return bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        guard offset + count <= bytes.count else { return 0 }
        return bytes[offset..<(offset + count)].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
