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
    /// A frame whose size differs from the clip's first frame.
    case frameSizeMismatch(clip: String, frame: URL, size: Size2, expected: Size2)
    /// A clip with a mask folder lacks the mask of one frame.
    case missingMask(clip: String, frame: URL, expectedMask: URL)
    /// A frame index outside the clip.
    case frameOutOfRange(clip: String, index: Int, count: Int)
    /// The label file lists a different number of clips than the folder holds.
    case labelClipCount(file: URL, labelled: Int, clips: Int)
    /// The label file marks a frame (1-based) beyond the clip's last frame.
    case labelBeyondClip(file: URL, clip: String, frame: Int, frameCount: Int)
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
        case .frameSizeMismatch(let clip, let frame, let size, let expected):
            "clip \(clip): \(frame.path): frame is \(size.width)x\(size.height), the clip's first frame is \(expected.width)x\(expected.height)"
        case .missingMask(let clip, let frame, let mask):
            "clip \(clip): frame \(frame.lastPathComponent) has no mask (looked for \(mask.path))"
        case .frameOutOfRange(let clip, let index, let count):
            "clip \(clip): frame \(index) is outside 0..<\(count)"
        case .labelClipCount(let file, let labelled, let clips):
            "\(file.path): labels \(labelled) test clips but the data set has \(clips)"
        case .labelBeyondClip(let file, let clip, let frame, let frameCount):
            "\(file.path): clip \(clip): frame \(frame) is marked anomalous but the clip has \(frameCount) frames (1-based)"
        case .malformedLabels(let file, let line, let text, let problem):
            "\(file.path):\(line): \(problem): '\(text)'"
        case .labelFile(let folder, let problem):
            "\(folder.path): \(problem)"
        }
    }
}
