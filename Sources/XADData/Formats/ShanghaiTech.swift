import Foundation
import XADImage

/// ShanghaiTech Campus (Luo, Liu & Gao, "A Revisit of Sparse Coding Based Anomaly Detection in
/// Stacked RNN Framework", ICCV 2017): 330 training videos and 107 test clips of 13 scenes,
/// 856 x 480.
///
/// - Training clips: videos `training/videos/01_001.avi ...` as published, or frame folders
///   `training/frames/01_001/`.
/// - Test clips: frame folders `testing/frames/01_0014/000.jpg ...`, numbered without gaps.
/// - Labels: `testing/test_frame_mask/01_0014.npy` (also accepted at the root), one 0/1 value per
///   frame of the clip. Every test clip needs its file, of exactly its length.
/// - Pixel masks: `testing/test_pixel_mask/01_0014.npy` (also accepted at the root), one
///   frames x H x W volume per clip, non-zero where anomalous; each frame's mask is read from it
///   when the sample is loaded (``MaskSource/volumeSlice(_:index:)``). Clips without one
///   evaluate at frame level.
///
/// ```swift
/// let shanghai = try ShanghaiTech().loadVideo(URL(fileURLWithPath: "shanghaitech"))
/// print(shanghai.test[0].name, shanghai.test[0].anomalousCount)   // 01_0014 ...
/// ```
public struct ShanghaiTech: VideoDatasetFormat {
    public let name = "shanghaitech"
    public let layout = "training/videos/NN_NNN.avi (or training/frames/NN_NNN), testing/frames/NN_NNNN/NNN.jpg, labels testing/test_frame_mask/NN_NNNN.npy"

    public init() {}

    public func matches(_ root: URL) -> Bool {
        Files.isFolder(root.appendingPathComponent("testing/frames")) && Self.frameLabelFolder(root) != nil
    }

    public func loadVideo(_ root: URL) throws -> VideoDataset {
        let videos = root.appendingPathComponent("training/videos")
        let trainFolder = Files.isFolder(videos) ? videos : root.appendingPathComponent("training/frames")
        let testFolder = root.appendingPathComponent("testing/frames")
        let train = try VideoClip.clipLocations(in: trainFolder).map { try VideoClip(at: $0) }
        let unlabelled = try Files.subfolders(of: testFolder).map { try VideoClip(at: $0) }
        guard !train.isEmpty else { throw DatasetError.emptyFolder(trainFolder, expected: "one video or frame folder per training clip") }
        guard !unlabelled.isEmpty else { throw DatasetError.emptyFolder(testFolder, expected: "one frame folder per test clip") }
        guard let labelFolder = Self.frameLabelFolder(root) else {
            throw VideoDataError.labelFile(folder: root, problem: "no testing/test_frame_mask folder of per-clip .npy frame labels")
        }
        let labelFiles = ((try? FileManager.default.contentsOfDirectory(atPath: labelFolder.path)) ?? []).filter { $0.hasSuffix(".npy") }
        guard labelFiles.count == unlabelled.count else {
            throw VideoDataError.labelClipCount(file: labelFolder, labelled: labelFiles.count, clips: unlabelled.count)
        }
        let test = try unlabelled.map { clip in
            let file = labelFolder.appendingPathComponent("\(clip.name).npy")
            guard Files.exists(file) else { throw VideoDataError.missingLabels(clip: clip.name, expected: file) }
            return try clip.labelled(Self.frameFlags(file), masks: Self.pixelMasks(of: clip, root: root), from: file)
        }
        return VideoDataset(name: "ShanghaiTech Campus", train: train, test: test, labelSource: "test_frame_mask/*.npy")
    }

    /// `testing/test_frame_mask`, or `test_frame_mask` at the root; nil when neither exists.
    private static func frameLabelFolder(_ root: URL) -> URL? {
        ["testing/test_frame_mask", "test_frame_mask"].map(root.appendingPathComponent).first(where: Files.isFolder)
    }

    /// The clip's masks as slices of its `test_pixel_mask` volume, checked to be frames x H x W;
    /// nil when the clip has no volume.
    private static func pixelMasks(of clip: VideoClip, root: URL) throws -> [MaskSource?]? {
        let candidates = ["testing/test_pixel_mask", "test_pixel_mask"].map { root.appendingPathComponent("\($0)/\(clip.name).npy") }
        guard let file = candidates.first(where: Files.exists) else { return nil }
        let shape: [Int]
        do {
            shape = try NPYFile.shape(contentsOf: file).shape
        } catch let error as ImageError {
            throw LabelFileError(file.path, error.message)
        }
        let size = clip.frameSize
        guard shape.count == 3, shape[1] == size.height, shape[2] == size.width else {
            throw LabelFileError(file.path, "expected pixel masks of shape [frames, \(size.height), \(size.width)] for clip \(clip.name), found \(shape)")
        }
        guard shape[0] == clip.count else {
            throw VideoDataError.labelFrameCount(file: file, clip: clip.name, labelled: shape[0], frameCount: clip.count)
        }
        return (0..<clip.count).map { .volumeSlice(file, index: $0) }
    }

    /// One flag per value of a 1-D 0/1 array.
    private static func frameFlags(_ file: URL) throws -> [Bool] {
        let labels = try NPYFile.read(contentsOf: file)
        guard labels.shape.count == 1 else {
            throw LabelFileError(file.path, "expected one 0/1 label per frame (shape [frames]), found shape \(labels.shape)")
        }
        let values = labels.scalars
        if let frame = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw LabelFileError(file.path, "frame \(frame) is labelled \(values[frame]), not 0 or 1")
        }
        return values.map { $0 == 1 }
    }
}
