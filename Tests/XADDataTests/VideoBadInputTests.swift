import Foundation
import Testing
import XADData
import XADImage
import XADTensor
import XADTestSupport

/// Broken copies of the synthetic video sets: each fault is a ``VideoDataError`` (or
/// ``LabelFileError``) naming the clip and the frame or file, with the data exit status.
@Suite("Video data sets: bad input")
struct VideoBadInputTests {
    @Test func aVideoThatCannotBeOpenedNamesTheClip() throws {
        let copy = try VideoSetCopy("avenue")
        defer { copy.cleanUp() }
        try copy.write("testing_videos/02.avi", "not a video")
        let error = try #require(throws: VideoDataError.self) { try Avenue().loadVideo(copy.root) }
        guard case .unreadableVideo(let clip, let file, _) = error else { Issue.record("\(error)"); return }
        #expect(clip == "02" && file == copy.url("testing_videos/02.avi"))
        #expect(error.description.contains("clip 02") && error.exitStatus == .data)
    }

    /// A video cut midway declares 10 frames but decodes fewer: reading past the cut names the
    /// clip and the first missing frame, in order and after a jump.
    @Test func aVideoDamagedMidwayNamesClipAndFrame() throws {
        let copy = try VideoSetCopy("clips")
        defer { copy.cleanUp() }
        try FileManager.default.copyItem(at: VideoFormatTests.sets.appendingPathComponent("truncated.avi"),
                                         to: copy.url("test/truncated.avi"))
        let clip = try #require(try ClipFolders().loadVideo(copy.root).test.first { $0.name == "truncated" })
        #expect(clip.count == 10)
        _ = try clip.frame(at: 0)
        let jump = try #require(throws: VideoDataError.self) { try clip.frame(at: 7) }
        guard case .unreadableFrame("truncated", 7, copy.url("test/truncated.avi"), let problem) = jump else { Issue.record("\(jump)"); return }
        #expect(problem.contains("ends after"))
        let walk = try #require(throws: VideoDataError.self) { try clip.validateFrames() }
        guard case .unreadableFrame("truncated", let frame, _, _) = walk else { Issue.record("\(walk)"); return }
        #expect(frame >= 1 && frame < 10 && walk.description.contains("clip truncated: frame \(frame)") && walk.exitStatus == .data)
    }

    @Test func aFrameFolderWithAGapOrMixedSizes() throws {
        let copy = try VideoSetCopy("clips")
        defer { copy.cleanUp() }
        try copy.remove("test/yard/003.png")
        let gap = try #require(throws: VideoDataError.self) { try ClipFolders().loadVideo(copy.root) }
        guard case .frameGap("yard", _, 3, 1, 6) = gap else { Issue.record("\(gap)"); return }

        try Image(width: 8, height: 6, channels: 3, repeating: 9).write(to: copy.url("test/yard/003.png"))
        let clip = try #require(try ClipFolders().loadVideo(copy.root).test.last)
        #expect(try clip.frame(at: 1).width == 24)
        let mixed = try #require(throws: VideoDataError.self) { try clip.validateFrames() }
        #expect(mixed == .frameSizeMismatch(clip: "yard", frame: 2, file: copy.url("test/yard/003.png"),
                                            size: Size2(height: 6, width: 8), expected: Size2(height: 16, width: 24)))
        #expect(mixed.description.contains("clip yard: frame 2"))
    }

    @Test func avenueLabelsThatDoNotFitTheClips() throws {
        let copy = try VideoSetCopy("avenue")
        defer { copy.cleanUp() }
        let frameLabels = copy.url("frame_labels_avenue.npy")
        try NPYFile.write(Tensor(shape: [1, 13], repeating: 0), to: frameLabels)
        let total = try #require(throws: LabelFileError.self) { try Avenue(labelSource: .mnadFrameLabels).loadVideo(copy.root) }
        #expect(total.description.contains("13 frame labels for 2 clips of 14 frames"))

        // A volume one mask short of its clip, then a clip without its volume.
        try FileManager.default.copyItem(at: copy.url("testing_label_mask/1_label.mat"), to: copy.url("two.mat"))
        try copy.remove("testing_label_mask/2_label.mat")
        try FileManager.default.moveItem(at: copy.url("two.mat"), to: copy.url("testing_label_mask/2_label.mat"))
        #expect(throws: VideoDataError.labelFrameCount(file: copy.url("testing_label_mask/2_label.mat"), clip: "02", labelled: 8, frameCount: 6)) {
            try Avenue().loadVideo(copy.root)
        }
        try copy.remove("testing_label_mask/2_label.mat")
        #expect(throws: VideoDataError.labelClipCount(file: copy.url("testing_label_mask"), labelled: 1, clips: 2)) {
            try Avenue().loadVideo(copy.root)
        }
        try FileManager.default.copyItem(at: copy.url("testing_label_mask/1_label.mat"), to: copy.url("testing_label_mask/9_label.mat"))
        #expect(throws: VideoDataError.missingLabels(clip: "02", expected: copy.url("testing_label_mask/2_label.mat"))) {
            try Avenue().loadVideo(copy.root)
        }
    }

    @Test func shanghaiTechLabelsThatDoNotFitTheClips() throws {
        let copy = try VideoSetCopy("shanghaitech")
        defer { copy.cleanUp() }
        let labels = copy.url("testing/test_frame_mask/01_0014.npy")
        try NPYFile.write(Tensor(shape: [6], repeating: 0), to: labels)
        #expect(throws: VideoDataError.labelFrameCount(file: labels, clip: "01_0014", labelled: 6, frameCount: 5)) {
            try ShanghaiTech().loadVideo(copy.root)
        }
        try NPYFile.write(Tensor(shape: [5], scalars: [0, 1, 2, 0, 0]), to: labels)
        let value = try #require(throws: LabelFileError.self) { try ShanghaiTech().loadVideo(copy.root) }
        #expect(value.description.contains("01_0014.npy") && value.description.contains("frame 2"))
        try NPYFile.write(Tensor(shape: [5], repeating: 0), to: labels)
        let pixels = copy.url("testing/test_pixel_mask/01_0015.npy")
        try NPYFile.write(Tensor(shape: [3, 16, 24], repeating: 0), to: pixels)
        #expect(throws: VideoDataError.labelFrameCount(file: pixels, clip: "01_0015", labelled: 3, frameCount: 4)) {
            try ShanghaiTech().loadVideo(copy.root)
        }
        try NPYFile.write(Tensor(shape: [4, 16, 20], repeating: 0), to: pixels)
        let size = try #require(throws: LabelFileError.self) { try ShanghaiTech().loadVideo(copy.root) }
        #expect(size.description.contains("01_0015.npy") && size.description.contains("[frames, 16, 24]"))
        try copy.remove("testing/test_frame_mask/01_0014.npy")
        #expect(throws: VideoDataError.labelClipCount(file: copy.url("testing/test_frame_mask"), labelled: 1, clips: 2)) {
            try ShanghaiTech().loadVideo(copy.root)
        }
    }

    @Test func frameRangesThatDoNotFitTheClips() throws {
        let copy = try VideoSetCopy("clips")
        defer { copy.cleanUp() }
        let labels = copy.url("labels.csv")
        try copy.write("labels.csv", "clip,first,last\nyard,5,7\n")
        #expect(throws: VideoDataError.labelBeyondClip(file: labels, clip: "yard", frame: 7, frameCount: 6)) {
            try ClipFolders().loadVideo(copy.root)
        }
        try copy.write("labels.csv", "night,1,2\nbarn,3,4\n")
        #expect(throws: VideoDataError.unknownClip(file: labels, line: 2, clip: "barn")) { try ClipFolders().loadVideo(copy.root) }
        for row in ["night,0,2", "night,4,3", "night,2", "night,a,b"] {
            try copy.write("labels.csv", "clip,first,last\n\(row)\n")
            let error = try #require(throws: VideoDataError.self) { try ClipFolders().loadVideo(copy.root) }
            guard case .malformedLabels(labels, 2, row, _) = error else { Issue.record("\(row): \(error)"); continue }
            #expect(error.description.contains("labels.csv:2") && error.exitStatus == .data)
        }
    }
}
