import Foundation
import Testing
@testable import XADData
import XADImage
import XADTensor
import XADTestSupport

/// The `avenue`, `shanghaitech` and `clips` formats on the tiny synthetic sets that
/// Tools/reference/gen_video_sets.py wrote (FFmpeg videos, scipy.io.savemat label volumes,
/// numpy.save labels); counts, labels and pixels compared with what the script recorded.
/// Tolerance: exact (labels; pixels of the lossless FFV1 videos).
@Suite("Video data set formats")
struct VideoFormatTests {
    static let sets = Fixture.directory.appendingPathComponent("video_sets")

    private static func anomalousFrames(_ clip: VideoClip) -> [Int] { clip.labels.indices.filter { clip.labels[$0] == .anomalous } }

    private static func expectedFrames(_ key: String) throws -> [[Int]] {
        try #require(Fixture("video_sets/video_sets.json")[key]?.array).map { $0.ints ?? [] }
    }

    @Test func avenueVideosWithBothPublishedLabelSets() throws {
        let reference = try Fixture("video_sets/video_sets.json")
        let root = Self.sets.appendingPathComponent("avenue")
        #expect(try DatasetFormats.resolve(nil, for: root).name == "avenue")
        let official = try Avenue().loadVideo(root)
        #expect(official.name == "CUHK Avenue" && official.labelSource == Avenue.LabelSource.maskVolumes.description)
        #expect(official.train.map(\.count) == reference["avenue_train_counts"]?.ints)
        #expect(official.test.map(\.name) == ["01", "02"] && official.test.map(\.count) == reference["avenue_test_counts"]?.ints)
        #expect(official.test.map(Self.anomalousFrames) == (try Self.expectedFrames("avenue_volume_anomalous")))
        #expect(official.test[0].storage == .videoFile(root.appendingPathComponent("testing_videos/01.avi"), frameCount: 8))
        #expect(official.test[0].frameSize == Size2(height: 16, width: 24))

        let mnad = try Avenue(labelSource: .mnadFrameLabels).loadVideo(root)
        #expect(mnad.labelSource == "frame_labels_avenue.npy (MNAD)")
        #expect(mnad.test.map(Self.anomalousFrames) == (try Self.expectedFrames("avenue_mnad_anomalous")))
        #expect(mnad.test.map(Self.anomalousFrames) != official.test.map(Self.anomalousFrames))
    }

    /// CUHK's archive unpacks the volumes into `ground_truth_demo/testing_label_mask`.
    @Test func avenueVolumesInsideGroundTruthDemo() throws {
        let copy = try VideoSetCopy("avenue")
        defer { copy.cleanUp() }
        try FileManager.default.createDirectory(at: copy.url("ground_truth_demo"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: copy.url("testing_label_mask"), to: copy.url("ground_truth_demo/testing_label_mask"))
        let avenue = try Avenue().loadVideo(copy.root)
        #expect(avenue.labelSource == Avenue.LabelSource.maskVolumes.description)
        #expect(avenue.test.map(Self.anomalousFrames) == (try Self.expectedFrames("avenue_volume_anomalous")))
    }

    /// Frames come out of the lossless video exactly as written, in order, after jumps back and
    /// through the image data set view (one sample per frame, naming the video and frame).
    @Test func videoClipFramesMatchTheWrittenPixels() throws {
        let reference = try Fixture("video_sets/video_sets.json")
        let clip = try Avenue().loadVideo(Self.sets.appendingPathComponent("avenue")).test[0]
        let pixels = { (image: Image) in image.samples.map(Float.init) }
        for index in [0, 4, 7, 4, 0] {   // forward, then back within the kept frames, then back to the start
            #expect(pixels(try clip.frame(at: index)) == (try reference.tensor("avenue_test01_frame\(index)")).scalars, "frame \(index)")
        }
        #expect(try clip.tensor(at: 7).shape == [1, 3, 16, 24])
        let sample = try clip.sample(at: 4)
        #expect(sample.frame == 4 && sample.name == "01.avi#4" && sample.label == .anomalous)
        #expect(try sample.load().image.scalars == (try clip.tensor(at: 4)).scalars)
        #expect(throws: VideoDataError.frameOutOfRange(clip: "01", index: 8, count: 8)) { try clip.frame(at: 8) }
    }

    @Test func shanghaiTechFrameFoldersAndNPYLabels() throws {
        let reference = try Fixture("video_sets/video_sets.json")
        let root = Self.sets.appendingPathComponent("shanghaitech")
        #expect(try DatasetFormats.resolve(nil, for: root).name == "shanghaitech")
        let shanghai = try ShanghaiTech().loadVideo(root)
        #expect(shanghai.train.map(\.count) == reference["shanghaitech_train_counts"]?.ints)
        #expect(shanghai.train[0].name == "01_001" && shanghai.train[0].frameSize == Size2(height: 16, width: 24))
        #expect(shanghai.test.map(\.name) == ["01_0014", "01_0015"])
        #expect(shanghai.test.map(\.count) == reference["shanghaitech_test_counts"]?.ints)
        #expect(shanghai.test.map(Self.anomalousFrames) == (try Self.expectedFrames("shanghaitech_anomalous")))
        // The lossy training video decodes all its frames at the declared size.
        try shanghai.train[0].validateFrames()

        // Pixel masks: each frame's slice of the clip's volume, as the whole volume read by NPYFile holds it.
        #expect(shanghai.test.allSatisfy { $0.hasMasks })
        let volume = try NPYFile.read(contentsOf: root.appendingPathComponent("testing/test_pixel_mask/01_0014.npy"))
        for frame in 0..<5 {
            let sample = try shanghai.test[0].sample(at: frame).load()
            #expect(sample.hasMask && sample.mask.shape == [1, 1, 16, 24])
            #expect(sample.mask.scalars == (try volume.sliced(axis: 0, range: frame..<(frame + 1))).scalars, "frame \(frame)")
        }
        #expect(try shanghai.test[0].sample(at: 1).load().mask.scalars.reduce(0, +) == 24)
    }

    @Test func clipFoldersMixVideosAndFrameFoldersWithACSVOfRanges() throws {
        let reference = try Fixture("video_sets/video_sets.json")
        let root = Self.sets.appendingPathComponent("clips")
        #expect(try DatasetFormats.resolve(nil, for: root).name == "clips")
        let clips = try ClipFolders().loadVideo(root)
        #expect(clips.train.map(\.name) == reference["clips_train"]?.array?.compactMap(\.string))
        #expect(clips.test.map(\.name) == reference["clips_test"]?.array?.compactMap(\.string))
        #expect(clips.test.map(\.count) == reference["clips_test_counts"]?.ints)
        #expect(clips.test.map(Self.anomalousFrames) == (try Self.expectedFrames("clips_anomalous")))
        // As an image data set: every frame a sample; video frames carry their index.
        let frames = try DatasetFormats.load(root)
        #expect(frames.train.count == 9 && frames.test.count == 15)
        #expect(frames.test.filter { $0.label == .anomalous }.count == 5)
        #expect(frames.test.prefix(9).map(\.frame) == Array(0..<9) && frames.test.last?.frame == nil)
    }

    @Test func frameRangeTableReadsHeaderCommentsAndRows() throws {
        let table = try FrameRangeTable(contentsOf: Self.sets.appendingPathComponent("clips/labels.csv"))
        #expect(table.rows.map(\.clip) == ["night", "night", "yard"])
        #expect(table.rows.map(\.frames) == [2...3, 8...9, 6...6] && table.rows.map(\.line) == [3, 4, 5])
    }
}
