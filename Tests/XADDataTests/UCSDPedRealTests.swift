import Foundation
import Testing
import XADData
import XADTensor
import XADTestSupport

/// The real UCSD Ped2 (JPEG frame layout) in ../shared/data/ucsd_ped2.
@Suite("UCSD Ped2 on the real data", .enabled(if: SharedData.shouldTest("ucsd_ped2")))
struct UCSDPedRealTests {
    @Test func ped2HasTheDocumentedClipsFramesAndLabels() throws {
        let video = try DatasetFormats.resolve(nil, for: SharedData.url("ucsd_ped2"))
        let ped2 = try #require(video as? UCSDPed).loadVideo(SharedData.url("ucsd_ped2"))
        #expect(ped2.name == "UCSD Ped2")
        #expect(ped2.train.count == 16 && ped2.train.reduce(0) { $0 + $1.count } == 2_550)
        #expect(ped2.test.count == 12 && ped2.test.reduce(0) { $0 + $1.count } == 2_010)
        #expect(ped2.test.reduce(0) { $0 + $1.anomalousCount } == 1_648)
        #expect(ped2.test.allSatisfy { $0.hasMasks })
        #expect((ped2.train + ped2.test).allSatisfy { $0.frameSize == Size2(height: 240, width: 360) })
        // The script's frame 61 of clip 1 (1-based) is 060.jpg, the first anomalous one.
        #expect(ped2.test[0].labels[59] == .normal && ped2.test[0].labels[60] == .anomalous)
    }

    /// Frames with a non-empty mask are exactly the frames UCSDped2.m marks anomalous.
    @Test func ped2MasksAreNonEmptyExactlyOnAnomalousFrames() throws {
        let ped2 = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        var mismatches: [String] = []
        for clip in ped2.test {
            for (index, reference) in clip.samples.enumerated() {
                let sample = try reference.load()
                let nonEmpty = sample.mask.scalars.contains(1)
                if nonEmpty != (clip.labels[index] == .anomalous) { mismatches.append("\(clip.name)/\(index)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}

/// Real Ped2 frames as a folder of clips: test clip 01's frames 50-79 (the anomaly starts at 60)
/// made into a lossless grey FFV1 video by the ffmpeg program, with their labels as a `labels.csv` row.
/// The `clips` format must give the UCSD loader's labels, and the video's frames must match our
/// JPEG decoder's (ffmpeg decodes the JPEGs itself: mean absolute difference below 1 grey level).
@Suite("Ped2 frames as a clips video", .enabled(if: SharedData.shouldTest("ucsd_ped2")))
struct Ped2AsClipsTests {
    @Test func videoClipMatchesTheFrameFolder() throws {
        let ped2 = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2")).test[0]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-ped2-clips-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["train", "test"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let video = root.appendingPathComponent("test/ped2_01.avi")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-framerate", "10", "-start_number", "50",
                             "-i", SharedData.url("ucsd_ped2/testing/frames/01/%03d.jpg").path, "-frames:v", "30",
                             "-c:v", "ffv1", "-pix_fmt", "gray", video.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        try FileManager.default.copyItem(at: video, to: root.appendingPathComponent("train/ped2_01.avi"))
        let anomalous = (50..<80).filter { ped2.labels[$0] == .anomalous }.map { $0 - 49 }   // 1-based in the new clip
        try Data("clip,first,last\nped2_01,\(anomalous.first ?? 0),\(anomalous.last ?? 0)\n".utf8)
            .write(to: root.appendingPathComponent("labels.csv"))

        let clip = try ClipFolders().loadVideo(root).test[0]
        #expect(clip.count == 30 && clip.frameSize == ped2.frameSize)
        #expect(clip.labels == Array(ped2.labels[50..<80]))
        for index in 0..<30 {
            let fromVideo = try clip.frame(at: index), fromJPEG = try ped2.frame(at: 50 + index)
            let grey = stride(from: 0, to: fromVideo.samples.count, by: fromVideo.channels).map { fromVideo.samples[$0] }
            let jpegGrey = stride(from: 0, to: fromJPEG.samples.count, by: fromJPEG.channels).map { fromJPEG.samples[$0] }
            let meanDifference = zip(grey, jpegGrey).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(grey.count)
            #expect(meanDifference < 1, "frame \(index): \(meanDifference)")
        }
    }
}
