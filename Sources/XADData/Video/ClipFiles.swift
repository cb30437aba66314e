import Foundation
import XADImage
import XADTensor

/// Reading clips from disk, shared by the video formats: a clip is a folder of numbered frame
/// images or one video file.
extension VideoClip {
    /// File extensions (lower case) read as video files.
    public static let videoFileExtensions: Set<String> = ["avi", "mp4", "m4v", "mov", "mkv", "webm", "mpg", "mpeg", "wmv"]

    /// Whether `url` names a video file by its extension (any case).
    public static func isVideoFile(_ url: URL) -> Bool { videoFileExtensions.contains(url.pathExtension.lowercased()) }

    /// The clips directly inside `folder`, sorted by name: every video file and every sub-folder
    /// (a folder of frames). Hidden entries are skipped; an absent folder has none.
    static func clipLocations(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
            .filter { isVideoFile($0) || Files.isFolder($0) }
    }

    /// The clip's name for a location: a video's file name without extension, or the folder's name.
    static func clipName(of location: URL) -> String {
        isVideoFile(location) ? Files.stem(location) : location.lastPathComponent
    }

    /// An unlabelled clip (every frame normal, no masks) read from a video file or a frame
    /// folder numbered without gaps from `firstFrameNumber` (nil: from any number).
    /// - Throws: ``VideoDataError`` naming the clip: a video that cannot be opened or holds no
    ///   frames, frames that are unnumbered, duplicated or missing.
    init(at location: URL, firstFrameNumber: Int? = nil) throws {
        let name = Self.clipName(of: location)
        guard Self.isVideoFile(location) else {
            try self.init(name: name, frames: NumberedFrames(folder: location, clip: name, first: firstFrameNumber))
            return
        }
        let frameCount: Int, size: Size2
        do {
            let video = try VideoFile(url: location)
            frameCount = try video.frameCount()
            size = Size2(height: video.height, width: video.width)
        } catch let error as ImageError {
            throw VideoDataError.unreadableVideo(clip: name, file: location, problem: error.message)
        }
        guard frameCount > 0 else { throw VideoDataError.unreadableVideo(clip: name, file: location, problem: "it holds no frames") }
        self.init(name: name, storage: .videoFile(location, frameCount: frameCount),
                  labels: Array(repeating: .normal, count: frameCount), masks: Array(repeating: nil, count: frameCount),
                  frameSize: size)
    }

    /// An unlabelled clip of numbered frame files; its size is its first frame's.
    init(name: String, frames: NumberedFrames) throws {
        let first: Image
        do {
            first = try Image(contentsOf: frames.urls[0])
        } catch let error as ImageError {
            throw VideoDataError.unreadableFrame(clip: name, frame: 0, file: frames.urls[0], problem: error.message)
        }
        self.init(name: name, storage: .frameFiles(frames.urls), labels: Array(repeating: .normal, count: frames.urls.count),
                  masks: Array(repeating: nil, count: frames.urls.count), frameSize: Size2(height: first.height, width: first.width))
    }

    /// The clip with `flags` (true: anomalous) as its frame labels, and `masks` when given.
    /// - Throws: ``VideoDataError/labelFrameCount(file:clip:labelled:frameCount:)`` naming
    ///   `labelFile` when there is not one flag (and one mask) per frame.
    func labelled(_ flags: [Bool], masks: [MaskSource?]? = nil, from labelFile: URL) throws -> VideoClip {
        for labelled in [flags.count, masks?.count ?? count] where labelled != count {
            throw VideoDataError.labelFrameCount(file: labelFile, clip: name, labelled: labelled, frameCount: count)
        }
        var clip = self
        clip.labels = flags.map { $0 ? .anomalous : .normal }
        if let masks { clip.masks = masks }
        return clip
    }
}
