import Foundation
import XADTensor

/// What is wrong with a video data set on disk; every case names the clip, frame or file. All are
/// data errors (exit status 2).
public enum VideoDataError: StatusReportingError, CustomStringConvertible, Equatable {
    public var exitStatus: ExitStatus { .data }

    /// A frame file whose name carries no frame number.
    case unnumberedFrame(clip: String, file: URL)
    /// Frame `missing` is absent between the clip's first and last frames.
    case frameGap(clip: String, folder: URL, missing: Int, first: Int, last: Int)
    /// The frames start at `first` where the layout numbers them from `expectedFirst`.
    case frameNumbering(clip: String, folder: URL, first: Int, expectedFirst: Int)
    /// Two files carry the same frame number.
    case duplicateFrame(clip: String, number: Int, files: [URL])
    /// Frame `frame` (0-based), decoded from `file`, has a size other than the clip's first frame's.
    case frameSizeMismatch(clip: String, frame: Int, file: URL, size: Size2, expected: Size2)
    /// Frame `frame` (0-based) cannot be decoded from `file`: a damaged image, a video damaged
    /// midway, or a video that ends before the frame count it declared.
    case unreadableFrame(clip: String, frame: Int, file: URL, problem: String)
    /// A clip's video file cannot be opened or its frames counted.
    case unreadableVideo(clip: String, file: URL, problem: String)
    /// A clip with a mask folder lacks the mask of one frame.
    case missingMask(clip: String, frame: URL, expectedMask: URL)
    /// A frame index outside the clip.
    case frameOutOfRange(clip: String, index: Int, count: Int)
    /// The label file lists a different number of clips than the folder holds.
    case labelClipCount(file: URL, labelled: Int, clips: Int)
    /// The label file marks a frame (1-based) beyond the clip's last frame.
    case labelBeyondClip(file: URL, clip: String, frame: Int, frameCount: Int)
    /// The label file gives a clip `labelled` frame labels (or masks) but the clip has `frameCount` frames.
    case labelFrameCount(file: URL, clip: String, labelled: Int, frameCount: Int)
    /// A test clip has no label file (looked for `expected`).
    case missingLabels(clip: String, expected: URL)
    /// The label file names a clip the data set does not have.
    case unknownClip(file: URL, line: Int, clip: String)
    /// A line of a label file that cannot be read.
    case malformedLabels(file: URL, line: Int, text: String, problem: String)
    /// No label file (or more than one) says which data set this is.
    case labelFile(folder: URL, problem: String)

    public var description: String {
        switch self {
        case .unnumberedFrame(let clip, let file):
            "clip \(clip): \(file.path): frame file name has no frame number"
        case .frameGap(let clip, let folder, let missing, let first, let last):
            "clip \(clip): \(folder.path): frame \(missing) is missing (frames run from \(first) to \(last))"
        case .frameNumbering(let clip, let folder, let first, let expectedFirst):
            "clip \(clip): \(folder.path): frames start at \(first), expected \(expectedFirst)"
        case .duplicateFrame(let clip, let number, let files):
            "clip \(clip): frame \(number) appears twice: \(files.map(\.lastPathComponent).joined(separator: ", "))"
        case .frameSizeMismatch(let clip, let frame, let file, let size, let expected):
            "clip \(clip): frame \(frame) (\(file.path)) is \(size.width)x\(size.height), the clip's first frame is \(expected.width)x\(expected.height)"
        case .unreadableFrame(let clip, let frame, let file, let problem):
            "clip \(clip): frame \(frame) (\(file.path)) cannot be decoded: \(problem)"
        case .unreadableVideo(let clip, let file, let problem):
            "clip \(clip): \(file.path): cannot open the video: \(problem)"
        case .missingMask(let clip, let frame, let mask):
            "clip \(clip): frame \(frame.lastPathComponent) has no mask (looked for \(mask.path))"
        case .frameOutOfRange(let clip, let index, let count):
            "clip \(clip): frame \(index) is outside 0..<\(count)"
        case .labelClipCount(let file, let labelled, let clips):
            "\(file.path): labels \(labelled) test clips but the data set has \(clips)"
        case .labelBeyondClip(let file, let clip, let frame, let frameCount):
            "\(file.path): clip \(clip): frame \(frame) is marked anomalous but the clip has \(frameCount) frames (1-based)"
        case .labelFrameCount(let file, let clip, let labelled, let frameCount):
            "\(file.path): clip \(clip): \(labelled) frames labelled but the clip has \(frameCount) frames"
        case .missingLabels(let clip, let expected):
            "clip \(clip): no frame labels (looked for \(expected.path))"
        case .unknownClip(let file, let line, let clip):
            "\(file.path):\(line): no clip named '\(clip)' in the data set"
        case .malformedLabels(let file, let line, let text, let problem):
            "\(file.path):\(line): \(problem): '\(text)'"
        case .labelFile(let folder, let problem):
            "\(folder.path): \(problem)"
        }
    }
}
