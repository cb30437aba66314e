import Foundation
import Synchronization
import Testing
@testable import XADImage

/// Frames by index through `VideoFrameReader` against the same video decoded start to end by
/// `VideoFile`'s iterator (exact: same decoder and conversion), in orders that use the kept
/// frames, reopen the file, evict it and read it from several threads.
@Suite struct VideoFrameReaderTests {
    /// 12 frames of 64 x 48 of ffmpeg's `pattern` in the container `name` names (MKV declares no
    /// frame count), and its frames decoded in order.
    private static func makeVideo(_ folder: URL, _ name: String, pattern: String = "testsrc") throws -> (url: URL, frames: [Image]) {
        let url = folder.appendingPathComponent(name)
        try runFFmpeg(["-f", "lavfi", "-i", "\(pattern)=size=64x48:rate=10", "-frames:v", "12", "-c:v", "mpeg4", url.path])
        let iterator = try VideoFile(url: url).makeIterator()
        var frames: [Image] = []
        while let frame = try iterator.nextFrame() { frames.append(frame) }
        return (url, frames)
    }

    @Test func framesByIndexEqualTheDecodedSequence() throws {
        let folder = try temporaryFolder("frame-reader")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Self.makeVideo(folder, "first.avi"), second = try Self.makeVideo(folder, "second.mkv", pattern: "testsrc2")
        #expect(first.frames.count == 12 && first.frames[0] != first.frames[5] && first.frames[5] != second.frames[5])

        // One open video, two kept frames: back within the kept frames, back past them (reopen),
        // then the other file (evicts the first) and back.
        let reader = VideoFrameReader(openVideoLimit: 1, keptFrameCount: 2)
        for index in [0, 1, 2, 1, 5, 11, 10, 3, 0] {
            #expect(try reader.frame(index, of: first.url) == first.frames[index], "frame \(index)")
        }
        #expect(try reader.frame(7, of: second.url) == second.frames[7])
        #expect(try reader.frame(8, of: first.url) == first.frames[8])

        // Past the end: an error naming the file and the length; the next read starts afresh.
        let error = try #require(throws: ImageError.self) { try reader.frame(12, of: first.url) }
        #expect(error.kind == .video && error.description.contains("first.avi") && error.message.contains("ends after 12 frames"))
        #expect(try reader.frame(4, of: first.url) == first.frames[4])

        // Several threads reading both videos in their own orders.
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { task in
            let video = task.isMultiple(of: 2) ? first : second
            for index in 0..<12 where (try? reader.frame((index + task) % 12, of: video.url)) != video.frames[(index + task) % 12] {
                wrong.withLock { $0 += 1 }
            }
        }
        #expect(wrong.withLock { $0 } == 0)

        // The file replaced by another video (another size): its frames, not the open decoder's.
        try FileManager.default.removeItem(at: first.url)
        try FileManager.default.copyItem(at: second.url, to: first.url)
        #expect(try reader.frame(5, of: first.url) == second.frames[5])
    }

    /// A container without a declared frame count (Matroska) is counted by its packets.
    @Test func frameCountCountsPacketsWhenNoneIsDeclared() throws {
        let folder = try temporaryFolder("frame-count")
        defer { try? FileManager.default.removeItem(at: folder) }
        let mkv = try Self.makeVideo(folder, "clip.mkv"), avi = try Self.makeVideo(folder, "clip.avi")
        #expect(try VideoFile(url: mkv.url).declaredFrameCount == nil)
        #expect(try VideoFile(url: mkv.url).frameCount() == 12 && (try VideoFile(url: avi.url).frameCount()) == 12)
    }
}
