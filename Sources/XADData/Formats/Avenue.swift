import Foundation

/// CUHK Avenue (Lu, Shi & Jia, "Abnormal Event Detection at 150 FPS in MATLAB", ICCV 2013):
/// 16 training and 21 test videos of a campus avenue, 640 x 360 at 25 frames/s.
///
/// Clips are the videos `training_videos/01.avi ...` and `testing_videos/01.avi ...` as
/// published (decoded through FFmpeg), or frame folders `training/frames/01/`,
/// `testing/frames/01/` as MNAD and most reimplementations extract them. Two label sets are
/// published, and they are reported to disagree on 441 test frames, so a result must say which
/// it used (``VideoDataset/labelSource`` names it):
/// - ``LabelSource/maskVolumes``: CUHK's own ground truth, `testing_label_mask/N_label.mat`
///   (`N` = 1...21; also found inside `ground_truth_demo/`, as CUHK's archive unpacks), MATLAB
///   v5 files whose `volLabel` is a 1 x frames cell of pixel masks; a frame is anomalous where
///   its mask has a pixel set. Every test clip needs its file.
/// - ``LabelSource/mnadFrameLabels``: `frame_labels_avenue.npy` at the root, MNAD's 0/1 labels
///   of all test frames, clip after clip (the set most recent papers report on).
///
/// Loading checks that each label source covers every test clip frame for frame; masks are not
/// loaded (frame-level evaluation only).
///
/// ```swift
/// let avenue = try Avenue(labelSource: .mnadFrameLabels).loadVideo(URL(fileURLWithPath: "avenue"))
/// print(avenue.test.count, avenue.labelSource ?? "")   // 21 frame_labels_avenue.npy (MNAD)
/// ```
public struct Avenue: VideoDatasetFormat {
    public let name = "avenue"
    public let layout = "training_videos/NN.avi and testing_videos/NN.avi (or training/frames/NN and testing/frames/NN), labels testing_label_mask/N_label.mat or frame_labels_avenue.npy"

    /// The published Avenue label sets.
    public enum LabelSource: String, Sendable, CaseIterable, CustomStringConvertible {
        /// CUHK's `testing_label_mask/N_label.mat` pixel-mask volumes.
        case maskVolumes
        /// MNAD's `frame_labels_avenue.npy`.
        case mnadFrameLabels

        /// Where the labels are and who published them, for ``VideoDataset/labelSource``.
        public var description: String {
            switch self {
            case .maskVolumes: "testing_label_mask/N_label.mat (CUHK mask volumes)"
            case .mnadFrameLabels: "frame_labels_avenue.npy (MNAD)"
            }
        }
    }

    /// The label set to read; nil: CUHK's mask volumes when `testing_label_mask` exists, else
    /// MNAD's frame labels.
    public var labelSource: LabelSource?

    public init(labelSource: LabelSource? = nil) { self.labelSource = labelSource }

    public func matches(_ root: URL) -> Bool {
        Files.isFolder(root.appendingPathComponent("testing_videos"))
            || (Files.isFolder(root.appendingPathComponent("testing/frames")) && Files.exists(Self.mnadLabels(root)))
    }

    public func loadVideo(_ root: URL) throws -> VideoDataset {
        let videos = Files.isFolder(root.appendingPathComponent("training_videos"))
        let trainFolder = root.appendingPathComponent(videos ? "training_videos" : "training/frames")
        let testFolder = root.appendingPathComponent(videos ? "testing_videos" : "testing/frames")
        let train = try VideoClip.clipLocations(in: trainFolder).map { try VideoClip(at: $0) }
        let unlabelled = try VideoClip.clipLocations(in: testFolder).map { try VideoClip(at: $0) }
        guard !train.isEmpty else { throw DatasetError.emptyFolder(trainFolder, expected: "one video or frame folder per training clip") }
        guard !unlabelled.isEmpty else { throw DatasetError.emptyFolder(testFolder, expected: "one video or frame folder per test clip") }

        let volumes = Self.volumeFolder(root)
        let source = labelSource ?? (Files.isFolder(volumes) ? .maskVolumes : .mnadFrameLabels)
        let test: [VideoClip]
        switch source {
        case .maskVolumes:
            test = try Self.labelsFromVolumes(in: volumes, clips: unlabelled)
        case .mnadFrameLabels:
            let file = Self.mnadLabels(root)
            guard Files.exists(file) else {
                throw VideoDataError.labelFile(folder: root, problem: "no testing_label_mask folder or frame_labels_avenue.npy: no test labels")
            }
            let flags = try FrameLabels.fromConcatenatedNPY(file, frameCounts: unlabelled.map(\.count))
            test = try zip(unlabelled, flags).map { clip, flags in try clip.labelled(flags, from: file) }
        }
        return VideoDataset(name: "CUHK Avenue", train: train, test: test, labelSource: source.description)
    }

    private static func mnadLabels(_ root: URL) -> URL { root.appendingPathComponent("frame_labels_avenue.npy") }

    /// `testing_label_mask` at the root, or inside `ground_truth_demo` where CUHK's archive puts it.
    private static func volumeFolder(_ root: URL) -> URL {
        let unpacked = root.appendingPathComponent("ground_truth_demo/testing_label_mask")
        return Files.isFolder(unpacked) ? unpacked : root.appendingPathComponent("testing_label_mask")
    }

    /// Each clip's flags from its `N_label.mat` (`N` without leading zeros, as CUHK names them,
    /// or the clip's own name).
    private static func labelsFromVolumes(in folder: URL, clips: [VideoClip]) throws -> [VideoClip] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix("_label.mat") }
        guard files.count == clips.count else {
            throw VideoDataError.labelClipCount(file: folder, labelled: files.count, clips: clips.count)
        }
        return try clips.map { clip in
            let names = [Int(clip.name).map { "\($0)_label.mat" }, "\(clip.name)_label.mat"].compactMap { $0 }
            guard let file = names.map(folder.appendingPathComponent).first(where: Files.exists) else {
                throw VideoDataError.missingLabels(clip: clip.name, expected: folder.appendingPathComponent(names[0]))
            }
            guard let volume = try MATFile(contentsOf: file)["volLabel"] else {
                throw LabelFileError(file.path, "no volLabel variable (the cell of per-frame masks)")
            }
            return try clip.labelled(FrameLabels.fromMaskVolume(volume, file: file.path), from: file)
        }
    }
}
