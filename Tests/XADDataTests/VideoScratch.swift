import Foundation
import XADImage

/// Builds small video data sets in a temporary folder: frames as PNG, JPEG, minimal TIFF or BMP.
struct VideoScratch {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-video-\(UUID().uuidString)")

    /// A `width` x `height` gray frame of constant `value`, encoded by the file's extension.
    func frame(_ path: String, width: Int = 8, height: Int = 6, value: UInt8 = 100) throws {
        let url = try prepare(path)
        let pixels = [UInt8](repeating: value, count: width * height)
        switch url.pathExtension {
        case "tif": try Self.tiff(width: width, height: height, pixels: pixels).write(to: url)
        case "bmp": try Self.bmp(width: width, height: height, pixels: pixels).write(to: url)
        case "jpg": try Image(width: width, height: height, channels: 1, repeating: UInt16(value)).write(to: url, format: .jpeg)
        default: try Image(width: width, height: height, channels: 1, repeating: UInt16(value)).write(to: url)
        }
    }

    func text(_ path: String, _ contents: String) throws {
        try contents.write(to: try prepare(path), atomically: true, encoding: .utf8)
    }

    func remove(_ path: String) throws { try FileManager.default.removeItem(at: root.appendingPathComponent(path)) }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }

    private func prepare(_ path: String) throws -> URL {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return url
    }

    /// An uncompressed 8-bit grayscale little-endian TIFF (baseline tags only).
    static func tiff(width: Int, height: Int, pixels: [UInt8]) -> Data {
        let entries: [(tag: UInt16, type: UInt16, value: UInt32)] = [
            (256, 4, UInt32(width)), (257, 4, UInt32(height)), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8), (277, 3, 1), (278, 4, UInt32(height)), (279, 4, UInt32(pixels.count)),
        ]
        var data = Data("II".utf8) + le(UInt16(42)) + le(UInt32(8 + pixels.count))
        data += pixels
        data += le(UInt16(entries.count))
        for entry in entries {
            data += le(entry.tag) + le(entry.type) + le(UInt32(1))
            data += entry.type == 3 ? le(UInt16(entry.value)) + le(UInt16(0)) : le(entry.value)
        }
        return data + le(UInt32(0))
    }

    /// A 24-bit bottom-up BMP with rows padded to 4 bytes.
    static func bmp(width: Int, height: Int, pixels: [UInt8]) -> Data {
        let rowBytes = (width * 3 + 3) / 4 * 4
        var data = Data("BM".utf8) + le(UInt32(54 + rowBytes * height)) + le(UInt32(0)) + le(UInt32(54))
        data += le(UInt32(40)) + le(Int32(width)) + le(Int32(height)) + le(UInt16(1)) + le(UInt16(24))
        data += le(UInt32(0)) + le(UInt32(rowBytes * height)) + le(Int32(2835)) + le(Int32(2835)) + le(UInt32(0)) + le(UInt32(0))
        for y in (0..<height).reversed() {
            var row = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<width { for c in 0..<3 { row[x * 3 + c] = pixels[y * width + x] } }
            data += row
        }
        return data
    }

    private static func le<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }
}
