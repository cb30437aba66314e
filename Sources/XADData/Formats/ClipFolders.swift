import Foundation

/// Any video data set as clips in two folders plus a table of anomalous frames: the layout for
/// footage of one's own.
///
/// - `train/`: normal clips, each a video file (`.avi`, `.mp4`, `.mov`, `.mkv`, ... decoded
///   through FFmpeg) or a folder of numbered frame images.
/// - `test/`: the clips to evaluate, the same way; a clip's name is its file name without
///   extension or its folder's name.
/// - `labels.csv`: anomalous frame ranges of test clips, `clip,first,last`, 1-based inclusive
///   (see ``FrameRangeTable``); test clips it does not name are normal throughout.
///
/// ```
/// cameras/train/monday.mp4       cameras/test/tuesday.mp4
/// cameras/train/lobby/0001.png   cameras/test/lobby/0001.png
/// cameras/labels.csv             clip,first,last / tuesday,120,180 / lobby,7,9
/// ```
public struct ClipFolders: VideoDatasetFormat {
    public let name = "clips"
    public let layout = "train/ and test/ of video files or frame folders, with labels.csv of clip,first,last anomalous frames (1-based, inclusive)"

    public init() {}

    public func matches(_ root: URL) -> Bool {
        Files.exists(root.appendingPathComponent("labels.csv"))
            && Files.isFolder(root.appendingPathComponent("train")) && Files.isFolder(root.appendingPathComponent("test"))
    }

    public func loadVideo(_ root: URL) throws -> VideoDataset {
        let (trainFolder, testFolder) = (root.appendingPathComponent("train"), root.appendingPathComponent("test"))
        let train = try VideoClip.clipLocations(in: trainFolder).map { try VideoClip(at: $0) }
        let test = try VideoClip.clipLocations(in: testFolder).map { try VideoClip(at: $0) }
        guard !train.isEmpty else { throw DatasetError.emptyFolder(trainFolder, expected: "one video or frame folder per training clip") }
        guard !test.isEmpty else { throw DatasetError.emptyFolder(testFolder, expected: "one video or frame folder per test clip") }
        let labels = root.appendingPathComponent("labels.csv")
        guard Files.exists(labels) else {
            throw VideoDataError.labelFile(folder: root, problem: "no labels.csv of anomalous frame ranges (clip,first,last)")
        }
        return VideoDataset(name: root.lastPathComponent, train: train, test: try FrameRangeTable(contentsOf: labels).label(test),
                            labelSource: "labels.csv")
    }
}
