import Foundation
import XADImage

/// Decoding speed of 1024 x 1024 RGB PNG and JPEG (quality 90, 4:2:0) files made by our encoders
/// from a deterministic, photo-like test image. The files are also written to
/// `$TMPDIR/xad-benchmark-images/` so that `Tools/bench/peer_images.py` times Pillow on the same bytes.
struct ImageBenchmarks: BenchmarkSuite {
    let name = "images"
    static let side = 1024

    func run(into report: inout BenchmarkReport) throws {
        let image = try Self.testImage(side: Self.side)
        let png = try image.encoded(as: .png)
        let jpeg = try image.encoded(as: .jpeg, jpegQuality: 90)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-benchmark-images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try png.write(to: folder.appendingPathComponent("natural1024.png"))
        try jpeg.write(to: folder.appendingPathComponent("natural1024.jpg"))

        let megapixels = Double(Self.side * Self.side) / 1e6
        for (format, data) in [("png", png), ("jpeg", jpeg)] {
            let decode = { _ = try Image(data: data, name: "benchmark.\(format)") }
            let seconds = try medianSeconds(repetitions: 9, decode)
            report.record(name, "\(format)_decode_megapixels_per_s", rounded(megapixels / seconds, 1))
            report.record(name, "\(format)_decode_cpu_ms", rounded(try cpuSeconds(repetitions: 15, decode) * 1000, 2))
            report.record(name, "\(format)_bytes", data.count)
        }
    }

    /// Smooth gradients, a round blob, a checkered object with sharp edges and hashed texture noise:
    /// integer arithmetic only, so `peer_images.py` builds the identical image with NumPy.
    static func testImage(side: Int) throws -> Image {
        var samples = [UInt16](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side {
                let blobDistance = (x - 512) * (x - 512) + (y - 400) * (y - 400)
                let blob = max(0, 90 - blobDistance / 1200)
                let checker = (600..<900).contains(x) && (100..<400).contains(y) && (x / 32 + y / 48) % 2 == 0 ? 50 : 0
                for channel in 0..<3 {
                    let gradient = (x * (channel + 1) + 2 * y) / (8 + 4 * channel)
                    let hash = (x &* 73_856_093) ^ (y &* 19_349_663) ^ (channel &* 83_492_791)
                    let noise = ((hash & 0xFFFF_FFFF) >> 13) % 21 - 10
                    let value = 40 + gradient % 160 + blob + checker + noise
                    samples[(y * side + x) * 3 + channel] = UInt16(min(max(value, 0), 255))
                }
            }
        }
        return try Image(width: side, height: side, channels: 3, samples: samples)
    }
}
