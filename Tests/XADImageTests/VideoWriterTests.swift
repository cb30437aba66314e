import Foundation
import Testing
@testable import XADImage

/// `VideoWriter` round trips through our FFmpeg reader: every frame comes back, at the even size,
/// close to what was written (H.264 is lossy: mean absolute error under 6 of 255 on smooth frames).
@Suite struct VideoWriterTests {
    /// A horizontal gradient whose brightness rises with `frame`, gray, `width` x `height`.
    static func frame(_ frame: Int, width: Int, height: Int) throws -> Image {
        let samples = (0..<(width * height)).map { UInt16(40 + ($0 % width) * 3 + frame * 10) }
        return try Image(width: width, height: height, channels: 1, samples: samples)
    }

    @Test func framesComeBackAtTheEvenSize() throws {
        let folder = try temporaryFolder("writer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let codec = try #require(VideoWriter.Codec.preferred, "FFmpeg has neither libx264 nor libvpx-vp9")
        let url = folder.appendingPathComponent("clip.\(codec.fileExtension)")
        let writer = try VideoWriter(url: url, width: 33, height: 21, framesPerSecond: 10)
        #expect(writer.width == 32 && writer.height == 20)
        for index in 0..<6 { try writer.append(try Self.frame(index, width: 33, height: 21)) }
        #expect(!FileManager.default.fileExists(atPath: url.path), "nothing at the destination before finish()")
        try writer.finish()
        let video = try VideoFile(url: url, color: .gray)
        #expect(video.width == 32 && video.height == 20)
        let frames = Array(video)
        #expect(frames.count == 6)
        for (index, decoded) in frames.enumerated() {
            let original = try Self.frame(index, width: 33, height: 21)
            var error = 0.0
            for y in 0..<20 { for x in 0..<32 { error += abs(Double(decoded[x, y, 0]) - Double(original[x, y, 0])) } }
            #expect(error / 640 < 6, "frame \(index): mean absolute error \(error / 640)")
        }
    }

    @Test func badFramesAndEmptyVideosAreRefusedAndLeaveNothing() throws {
        let folder = try temporaryFolder("writer-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("clip.mp4")
        do {
            let writer = try VideoWriter(url: url, width: 32, height: 20)
            #expect(throws: ImageError.self) { try writer.append(try Self.frame(0, width: 30, height: 20)) }
            #expect(throws: ImageError.self) { try writer.finish() }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "the temporary file is removed")
        #expect(throws: ImageError.self) { try VideoWriter(url: url, width: 1, height: 20) }
    }
}
