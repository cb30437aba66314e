import Foundation
import XADData
import XADImage

/// Reading a video clip's frames the way video detectors do, on a 640 x 360 MPEG-4 clip of 150
/// frames (CUHK Avenue's frame size) that the ffmpeg program makes from its `testsrc` pattern:
/// decoding alone (`VideoFile`'s iterator), every frame in order through `VideoClip.frame(at:)`
/// (the positioned decoder), and for every frame the window `t-4 ... t` (frame prediction's
/// reads, served from the kept frames). Frames per second, median of 3 runs.
struct VideoDataBenchmarks: BenchmarkSuite {
    let name = "video_data"
    static let frameCount = 150

    func run(into report: inout BenchmarkReport) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-benchmark-video")
        let video = root.appendingPathComponent("test/street.avi")
        try? FileManager.default.removeItem(at: root)
        for folder in ["train", "test"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Self.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-frames:v", "\(Self.frameCount)",
                         "-c:v", "mpeg4", "-q:v", "3", video.path])
        try FileManager.default.copyItem(at: video, to: root.appendingPathComponent("train/street.avi"))
        try Data("clip,first,last\nstreet,60,80\n".utf8).write(to: root.appendingPathComponent("labels.csv"))
        defer { try? FileManager.default.removeItem(at: root) }

        let clip = try ClipFolders().loadVideo(root).test[0]
        let frames = Double(clip.count)
        let decodeOnly = try medianSeconds(repetitions: 3) {
            let iterator = try VideoFile(url: video).makeIterator()
            while try iterator.nextFrame() != nil {}
        }
        let inOrder = try medianSeconds(repetitions: 3) {
            VideoFrameReader.shared.closeAll()
            for index in 0..<clip.count { _ = try clip.frame(at: index) }
        }
        let windows = try medianSeconds(repetitions: 3) {
            VideoFrameReader.shared.closeAll()
            for index in 4..<clip.count { for past in (index - 4)...index { _ = try clip.frame(at: past) } }
        }
        report.record(name, "decode_only_frames_per_s", rounded(frames / decodeOnly, 1))
        report.record(name, "clip_in_order_frames_per_s", rounded(frames / inOrder, 1))
        report.record(name, "clip_window5_frames_per_s", rounded((frames - 4) / windows, 1))
    }

    private static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ImageError(.video, "ffmpeg", "ffmpeg exited with status \(process.terminationStatus)")
        }
    }
}
