import Foundation

/// The frames of a video file (AVI, MP4, MOV, MKV, ... anything FFmpeg demuxes and decodes), read
/// lazily one frame at a time through libavformat, libavcodec and libswscale.
///
/// Opening probes the container for size, rate and length; iterating decodes. Each iteration
/// opens its own decoder, so a `VideoFile` can be iterated several times (and concurrently).
///
/// ```swift
/// let video = try VideoFile(url: URL(fileURLWithPath: "Test001.avi"), color: .gray)
/// print(video.width, video.height, video.framesPerSecond ?? 0)
/// for frame in video { score(frame.toTensor()) }      // stops early on a decoding error
/// ```
/// Use `makeIterator().nextFrame()` when a decoding error must be thrown rather than end the sequence.
public struct VideoFile: Sequence, Sendable {
    /// The pixel layout frames are converted to.
    public enum Color: Sendable, Hashable {
        /// One 8-bit channel (luma).
        case gray
        /// Three 8-bit channels.
        case rgb

        var channels: Int { self == .gray ? 1 : 3 }
    }

    public let url: URL
    public let color: Color
    public let width: Int
    public let height: Int
    /// Frames per second as the container declares it (average rate), nil when unknown.
    public let framesPerSecond: Double?
    /// The number of frames the container declares, nil when it does not say (e.g. raw streams).
    /// Iterating counts the frames actually decoded.
    public let declaredFrameCount: Int?
    /// FFmpeg's name of the video decoder, e.g. `"mpeg4"` or `"mjpeg"`.
    public let codecName: String

    /// Opens `url` and reads its stream information. Throws `ImageError(.video, ...)` naming the file
    /// when it cannot be opened, has no video stream, or its decoder is missing.
    public init(url: URL, color: Color = .rgb) throws {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ImageError(.unreadable, url.path, "cannot read the video file")
        }
        let probe = try FFmpegDecoder(url: url, color: color)
        self.url = url
        self.color = color
        width = probe.width
        height = probe.height
        framesPerSecond = probe.framesPerSecond
        declaredFrameCount = probe.declaredFrameCount
        codecName = probe.codecName
    }

    /// The number of frames: ``declaredFrameCount`` when the container declares it, otherwise the
    /// video packets counted by reading the file through (no decoding). Decoding may still end
    /// earlier in a damaged file; ``VideoFrameReader`` then says so.
    public func frameCount() throws -> Int {
        if let declaredFrameCount { return declaredFrameCount }
        return try FFmpegDecoder(url: url, color: color).countPackets()
    }

    public func makeIterator() -> Iterator { Iterator(url: url, color: color) }

    /// Decodes frames in order. `next()` ends the sequence at the end of the video or at the first
    /// error, which it keeps in `error`; `nextFrame()` throws instead.
    public final class Iterator: IteratorProtocol {
        private let url: URL
        private let color: Color
        private var decoder: FFmpegDecoder?
        private var done = false
        /// The error that ended iteration early, if any.
        public private(set) var error: ImageError?

        init(url: URL, color: Color) {
            self.url = url
            self.color = color
        }

        /// The next frame, or nil after the last one; throws when the video cannot be decoded.
        public func nextFrame() throws -> Image? {
            guard !done else { return nil }
            do {
                if decoder == nil { decoder = try FFmpegDecoder(url: url, color: color) }
                guard let frame = try decoder?.nextFrame() else {
                    finish()
                    return nil
                }
                return frame
            } catch {
                finish()
                throw error
            }
        }

        public func next() -> Image? {
            do {
                return try nextFrame()
            } catch let failure as ImageError {
                error = failure
            } catch {
                self.error = ImageError(.video, url.path, "\(error)")
            }
            return nil
        }

        /// Frees the decoder as soon as the stream ends rather than when the iterator goes away.
        private func finish() {
            done = true
            decoder = nil
        }
    }
}
