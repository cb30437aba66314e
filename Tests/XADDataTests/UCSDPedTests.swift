import Foundation
import Testing
import XADData
import XADTensor

/// The `ucsd` format on tiny synthetic data sets in both layouts, and its errors.
@Suite("UCSD Ped loader")
struct UCSDPedTests {
    /// Ped2-style JPEG layout: 2 training clips, 2 test clips, masks for the first test clip only.
    private func jpegLayout(_ scratch: VideoScratch) throws {
        for i in 0..<3 { try scratch.frame("training/frames/01/\(String(format: "%03d", i)).jpg") }
        for i in 0..<4 { try scratch.frame("training/frames/02/\(String(format: "%03d", i)).jpg") }
        for clip in ["01", "02"] {
            for i in 0..<5 { try scratch.frame("testing/frames/\(clip)/\(String(format: "%03d", i)).jpg") }
        }
        for i in 0..<5 { try scratch.frame("testing/masks/01/\(String(format: "%03d", i)).png", value: i >= 1 && i <= 2 ? 255 : 0) }
        try scratch.text("UCSDped2.m", """
            TestVideoFile = {};
            % clip 1: frames 2 and 3 (1-based)
            TestVideoFile{end+1}.gt_frame = [2:3];
            TestVideoFile{end+1}.gt_frame = [1, 4:5];
            """)
    }

    @Test func jpegLayoutGivesClipsLabelsAndMasks() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        try jpegLayout(scratch)
        let video = try UCSDPed().loadVideo(scratch.root)
        #expect(video.name == "UCSD Ped2")
        #expect(video.train.map(\.name) == ["01", "02"] && video.train.map(\.count) == [3, 4])
        #expect(video.train.allSatisfy { $0.anomalousCount == 0 && !$0.hasMasks })
        #expect(video.test.map(\.name) == ["01", "02"])
        #expect(video.test[0].labels == [.normal, .anomalous, .anomalous, .normal, .normal])
        #expect(video.test[1].labels == [.anomalous, .normal, .normal, .anomalous, .anomalous])
        #expect(video.test[0].hasMasks && !video.test[1].hasMasks)
        let frameFiles = (0..<5).map { scratch.root.appendingPathComponent("testing/frames/01/00\($0).jpg") }
        #expect(video.test[0].storage == .frameFiles(frameFiles))
        #expect(video.test[0].frameSize == Size2(height: 6, width: 8))

        let anomalous = try video.test[0].sample(at: 1).load()
        #expect(anomalous.hasMask && anomalous.mask.scalars.allSatisfy { $0 == 1 })
        #expect(try video.test[0].sample(at: 0).load().mask.scalars.allSatisfy { $0 == 0 })
        #expect(try video.test[0].tensor(at: 4).shape == [1, 1, 6, 8])

        // As an image data set (format detected): every frame a sample.
        let frames = try DatasetFormats.load(scratch.root)
        #expect(frames.train.count == 7 && frames.test.count == 10)
        #expect(frames.test.filter { $0.label == .anomalous }.count == 5)
        #expect(frames.categories == ["good", "anomalous"])
    }

    @Test func originalLayoutGivesTiffClipsAndBmpMasks() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        for i in 1...3 { try scratch.frame("Train/Train001/\(String(format: "%03d", i)).tif", width: 10, height: 7) }
        for clip in ["Test001", "Test002"] {
            for i in 1...4 { try scratch.frame("Test/\(clip)/\(String(format: "%03d", i)).tif", width: 10, height: 7, value: 50) }
        }
        for i in 1...4 { try scratch.frame("Test/Test002_gt/frame\(String(format: "%03d", i)).bmp", width: 10, height: 7, value: i == 4 ? 255 : 0) }
        try scratch.text("Test/UCSDped1.m", "TestVideoFile{1}.gt_frame = [1:2];\nTestVideoFile{2}.gt_frame = [4];\n")
        let video = try DatasetFormats.resolve("ucsd", for: scratch.root)
        let loaded = try #require(video as? UCSDPed).loadVideo(scratch.root)
        #expect(loaded.name == "UCSD Ped1")
        #expect(loaded.train.map(\.name) == ["Train001"] && loaded.test.map(\.name) == ["Test001", "Test002"])
        #expect(loaded.test[0].labels == [.anomalous, .anomalous, .normal, .normal])
        #expect(!loaded.test[0].hasMasks && loaded.test[1].hasMasks)
        let frame = try loaded.test[0].frame(at: 0)
        #expect(frame.width == 10 && frame.height == 7 && frame.samples.allSatisfy { $0 == 50 })
        let last = try loaded.test[1].sample(at: 3).load()
        #expect(last.reference.label == .anomalous && last.mask.scalars.allSatisfy { $0 == 1 })
        #expect(try loaded.test[1].sample(at: 0).load().mask.scalars.allSatisfy { $0 == 0 })
    }

    @Test func aGapInTheFramesNamesClipAndFrame() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        try jpegLayout(scratch)
        try scratch.remove("testing/frames/02/002.jpg")
        let error = try #require(throws: VideoDataError.self) { try UCSDPed().loadVideo(scratch.root) }
        guard case .frameGap(let clip, _, let missing, let first, let last) = error else { Issue.record("\(error)"); return }
        #expect(clip == "02" && missing == 2 && first == 0 && last == 4)
        #expect(error.description.contains("clip 02") && error.description.contains("frame 2 is missing"))
        #expect(error.exitStatus == .data)
    }

    @Test func aFrameOfAnotherSizeFailsWhenDecoded() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        try jpegLayout(scratch)
        try scratch.frame("testing/frames/01/003.jpg", width: 16, height: 6)
        let clip = try UCSDPed().loadVideo(scratch.root).test[0]
        #expect(try clip.frame(at: 2).width == 8)
        let error = try #require(throws: VideoDataError.self) { try clip.validateFrames() }
        #expect(error == .frameSizeMismatch(clip: "01", frame: 3, file: scratch.root.appendingPathComponent("testing/frames/01/003.jpg"),
                                            size: Size2(height: 6, width: 16), expected: Size2(height: 6, width: 8)))
        #expect(error.description.contains("003.jpg"))
    }

    @Test func labelsThatDoNotFitTheClipsAreRefused() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        try jpegLayout(scratch)
        let script = scratch.root.appendingPathComponent("UCSDped2.m")
        try scratch.text("UCSDped2.m", "TestVideoFile{end+1}.gt_frame = [2:3];\n")
        #expect(throws: VideoDataError.labelClipCount(file: script, labelled: 1, clips: 2)) { try UCSDPed().loadVideo(scratch.root) }
        try scratch.text("UCSDped2.m", "TestVideoFile{end+1}.gt_frame = [2:3];\nTestVideoFile{end+1}.gt_frame = [3:6];\n")
        #expect(throws: VideoDataError.labelBeyondClip(file: script, clip: "02", frame: 6, frameCount: 5)) {
            try UCSDPed().loadVideo(scratch.root)
        }
        try scratch.text("UCSDped2.m", "TestVideoFile{end+1}.gt_frame = [2:3];\nTestVideoFile{end+1}.gt_frame = [0:x];\n")
        let malformed = try #require(throws: VideoDataError.self) { try UCSDPed().loadVideo(scratch.root) }
        #expect(malformed.description.contains("UCSDped2.m:2"))
        try scratch.text("UCSDped1.m", "")
        let twoScripts = try #require(throws: VideoDataError.self) { try UCSDPed().loadVideo(scratch.root) }
        #expect(twoScripts.description.contains("cannot tell Ped1 from Ped2"))
    }

    @Test func aMissingMaskNamesTheFrame() throws {
        let scratch = VideoScratch()
        defer { scratch.cleanUp() }
        try jpegLayout(scratch)
        try scratch.remove("testing/masks/01/003.png")
        let error = try #require(throws: VideoDataError.self) { try UCSDPed().loadVideo(scratch.root) }
        #expect(error == .missingMask(clip: "01", frame: scratch.root.appendingPathComponent("testing/frames/01/003.jpg"),
                                      expectedMask: scratch.root.appendingPathComponent("testing/masks/01/003.png")))
    }

    @Test func labelScriptReadsRangesSinglesAndIndexedClips() throws {
        let url = URL(fileURLWithPath: "/labels/UCSDped1.m")
        let script = try UCSDLabelScript(text: """
            TestVideoFile = {};
            TestVideoFile{end+1}.gt_frame = [60:152];  % a comment [1:2]
            TestVideoFile{2}.gt_frame = [5:90, 140:200];
            TestVideoFile{end+1}.gt_frame = [7 9:8 12];
            """, url: url)
        #expect(script.anomalousFrames == [[60...152], [5...90, 140...200], [7...7, 12...12]])
        let flags = try script.flags(clip: 2, name: "Test003", frameCount: 12)
        #expect(flags.indices.filter { flags[$0] } == [6, 11])
        #expect(throws: VideoDataError.self) { try UCSDLabelScript(text: "TestVideoFile{3}.gt_frame = [1:2];", url: url) }
    }
}
