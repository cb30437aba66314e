import Foundation
import Testing
import XADTestSupport
@testable import XADImage

/// Runs `ffmpeg` (installed by scripts/setup.sh) with `arguments`; throws when it fails.
func runFFmpeg(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ImageError(.video, "ffmpeg", "ffmpeg \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
}

func temporaryFolder(_ label: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

@Suite struct VideoFileTests {
    /// ffmpeg's `testsrc` pattern, 12 frames of 64 x 48 at 10 fps, in two codecs and containers.
    @Test(arguments: [("mpeg4", "avi"), ("mjpeg", "mp4")])
    func syntheticVideoDecodesEveryFrame(_ codec: String, _ container: String) throws {
        let folder = try temporaryFolder("video")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("clip.\(container)")
        try runFFmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "12", "-c:v", codec,
                       "-pix_fmt", codec == "mjpeg" ? "yuvj420p" : "yuv420p", url.path])

        let video = try VideoFile(url: url)
        #expect(video.width == 64 && video.height == 48)
        #expect(video.codecName == codec)
        #expect(video.framesPerSecond == 10)
        #expect(video.declaredFrameCount == 12)
        let iterator = video.makeIterator()
        var frames: [Image] = []
        while let frame = try iterator.nextFrame() { frames.append(frame) }
        #expect(frames.count == 12)
        #expect(frames.allSatisfy { $0.width == 64 && $0.height == 48 && $0.channels == 3 && $0.bitDepth == 8 })
        // testsrc moves: consecutive frames differ.
        #expect(frames[0] != frames[1])

        let gray = Array(try VideoFile(url: url, color: .gray))
        #expect(gray.count == 12)
        #expect(gray.allSatisfy { $0.channels == 1 })
    }

    /// Not a video, a missing file, and a video cut in half: errors name the file; nothing crashes.
    @Test func badVideosAreReportedNotCrashed() throws {
        let folder = try temporaryFolder("bad-video")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("not a video".utf8).write(to: text)
        let notVideo = #expect(throws: ImageError.self) { _ = try VideoFile(url: text) }
        #expect(notVideo?.kind == .video && notVideo?.description.contains("notes.mp4") == true)
        let missing = #expect(throws: ImageError.self) { _ = try VideoFile(url: folder.appendingPathComponent("gone.avi")) }
        #expect(missing?.kind == .unreadable)

        let whole = folder.appendingPathComponent("whole.avi")
        try runFFmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "12", "-c:v", "mpeg4", whole.path])
        let data = try Data(contentsOf: whole)
        let cut = folder.appendingPathComponent("cut.avi")
        try data.prefix(data.count / 2).write(to: cut)
        // Depending on where the cut falls, opening fails or fewer frames come out; both are fine.
        do {
            #expect(Array(try VideoFile(url: cut)).count < 12)
        } catch let error as ImageError {
            #expect(error.description.contains("cut.avi"))
        }
    }
}

/// A real UCSD Ped2 clip: the frame folder as shipped, and the same frames made into a video.
@Suite(.enabled(if: SharedData.shouldTest("ucsd_ped2"))) struct UCSDClipTests {
    @Test func frameFolderHasEveryFrameInOrder() throws {
        let clip = try FrameFolder(url: UCSDClip.folder)
        #expect(clip.count == 180)
        #expect(clip.frameURLs.prefix(3).map(\.lastPathComponent) == ["000.jpg", "001.jpg", "002.jpg"])
        #expect(clip.frameURLs.last?.lastPathComponent == "179.jpg")
        var iterator = clip.makeIterator()
        var count = 0
        while let frame = try iterator.nextFrame() {
            #expect(frame.width == 360 && frame.height == 240)
            count += 1
        }
        #expect(count == 180)
    }

    /// The first 30 frames encoded by ffmpeg as MJPEG decode to 30 frames of 360 x 240 that match the
    /// JPEG frames. tolerance: mean abs difference below 3 levels (one more lossy MJPEG generation).
    @Test func clipMadeIntoVideoDecodesToTheSameFrames() throws {
        let folder = try temporaryFolder("ucsd-video")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("ped2_01.avi")
        try runFFmpeg(["-framerate", "10", "-start_number", "0", "-i", UCSDClip.folder.appendingPathComponent("%03d.jpg").path,
                       "-frames:v", "30", "-c:v", "mjpeg", "-q:v", "2", url.path])
        let video = try VideoFile(url: url, color: .rgb)
        #expect(video.width == 360 && video.height == 240)
        let frames = Array(video)
        #expect(frames.count == 30)
        let clip = try FrameFolder(url: UCSDClip.folder)
        for index in [0, 29] {
            let expected = try clip.frame(at: index)
            #expect(frames[index].width == expected.width && frames[index].height == expected.height)
            let meanDifference = zip(frames[index].samples, expected.samples)
                .map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(expected.samples.count)
            #expect(meanDifference < 3)
        }
    }
}

enum UCSDClip {
    static var folder: URL { SharedData.url("ucsd_ped2/testing/frames/01") }
}
