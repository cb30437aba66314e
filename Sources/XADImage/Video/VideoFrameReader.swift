import Foundation
import Synchronization

/// Frame-by-index access to video files, cheap when frames are read in order.
///
/// Each open video keeps its decoder positioned after the last frame it gave and the few frames
/// before it: reading frame `t` after frame `t - 1` decodes one frame, reading `t - 4 ... t` again
/// decodes nothing, and only a jump back past the kept frames reopens the file and decodes from
/// the start. The reader keeps the most recently used ``openVideoLimit`` videos open (least
/// recently used closed first), so walking a data set clip after clip holds a bounded amount of
/// memory. Reads of one video are serialised; different videos are read in parallel. A video
/// file replaced on disk (another size or modification time) is opened afresh.
///
/// ```swift
/// let reader = VideoFrameReader.shared
/// for index in 0..<300 {
///     let frame = try reader.frame(index, of: URL(fileURLWithPath: "testing_videos/01.avi"))
///     ...                                              // one decode step per frame
/// }
/// ```
public final class VideoFrameReader: Sendable {
    /// The reader data sets share: 4 open videos, 8 frames kept for each.
    public static let shared = VideoFrameReader(openVideoLimit: 4, keptFrameCount: 8)

    /// How many videos stay open at once.
    public let openVideoLimit: Int
    /// How many of the most recently decoded frames each open video keeps.
    public let keptFrameCount: Int

    private struct Key: Hashable {
        let path: String
        let color: VideoFile.Color
        /// The file's size and modification time when opened: a replaced file is another key.
        let size: Int?
        let modified: Date?
    }

    /// Open videos, least recently used first.
    private let open = Mutex<[(key: Key, video: PositionedVideo)]>([])

    /// A reader keeping `openVideoLimit` videos open with `keptFrameCount` frames each (both at least 1).
    public init(openVideoLimit: Int, keptFrameCount: Int) {
        self.openVideoLimit = max(1, openVideoLimit)
        self.keptFrameCount = max(1, keptFrameCount)
    }

    /// Frame `index` (0-based) of the video at `url`, converted to `color`.
    /// - Throws: `ImageError` naming the file when it cannot be opened or decoded, or ends before
    ///   frame `index` (the message says after how many frames).
    public func frame(_ index: Int, of url: URL, color: VideoFile.Color = .rgb) throws -> Image {
        guard index >= 0 else { throw ImageError(.invalidArgument, url.path, "frame \(index) is negative") }
        let path = url.standardizedFileURL.path
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let key = Key(path: path, color: color, size: (attributes?[.size] as? NSNumber)?.intValue,
                      modified: attributes?[.modificationDate] as? Date)
        let video = open.withLock { open -> PositionedVideo in
            if let position = open.firstIndex(where: { $0.key == key }) {
                let entry = open.remove(at: position)
                open.append(entry)
                return entry.video
            }
            open.removeAll { $0.key.path == path && $0.key.color == color }   // an older version of the file
            let video = PositionedVideo(url: url, color: color, keptFrameCount: keptFrameCount)
            open.append((key, video))
            if open.count > openVideoLimit { open.removeFirst(open.count - openVideoLimit) }
            return video
        }
        return try video.frame(index)
    }

    /// Closes every open video (their decoders are freed once no read is in progress).
    public func closeAll() {
        open.withLock { $0.removeAll() }
    }
}

/// One video with a decoder positioned after the last frame it gave, and the frames just before.
private final class PositionedVideo: Sendable {
    private struct State {
        var decoder: FFmpegDecoder?
        /// The index of the frame the decoder gives next.
        var next = 0
        /// The most recently decoded frames, oldest first; the last is frame `next - 1`.
        var recent: [Image] = []
    }

    private let url: URL
    private let color: VideoFile.Color
    private let keptFrameCount: Int
    private let state = Mutex(State())

    init(url: URL, color: VideoFile.Color, keptFrameCount: Int) {
        (self.url, self.color, self.keptFrameCount) = (url, color, keptFrameCount)
    }

    func frame(_ index: Int) throws -> Image {
        try state.withLock { state throws -> Image in
            let firstKept = state.next - state.recent.count
            if (firstKept..<state.next).contains(index) { return state.recent[index - firstKept] }
            do {
                if state.decoder == nil || index < state.next {
                    state = State(decoder: try FFmpegDecoder(url: url, color: color))
                }
                while state.next <= index {
                    guard let frame = try state.decoder?.nextFrame() else {
                        throw ImageError(.video, url.path, "the video ends after \(state.next) frames; frame \(index) does not exist")
                    }
                    state.recent.append(frame)
                    if state.recent.count > keptFrameCount { state.recent.removeFirst() }
                    state.next += 1
                }
                return state.recent[state.recent.count - 1]
            } catch {
                state = State()  // a failed decoder is not reused: the next read starts afresh
                throw error
            }
        }
    }
}
