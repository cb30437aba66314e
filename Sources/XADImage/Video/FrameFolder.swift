import Foundation

/// The frames of a video stored as one image per frame in a folder (`000.jpg`, `001.jpg`, ... or
/// `frame1.tif`, `frame2.tif`, ...), in the order of the number in each file name: `9.jpg` comes
/// before `10.jpg`. Frames are decoded lazily, one per step.
///
/// Files with an image extension (``ImageFormat/fileExtensions``, any case) are frames; other files and
/// hidden files are ignored. Within a name the last run of digits is its number; names without
/// digits come after numbered ones; ties go by the whole name.
///
/// ```swift
/// let clip = try FrameFolder(url: URL(fileURLWithPath: "ucsd_ped2/testing/frames/01"))
/// print(clip.count)                  // 180
/// for frame in clip { ... }          // 360 x 240 each
/// ```
public struct FrameFolder: Sequence, Sendable {
    public let url: URL
    /// The frame files in playing order.
    public let frameURLs: [URL]

    /// The number of frames.
    public var count: Int { frameURLs.count }

    /// Lists and orders the frames of `url`. Throws when the folder cannot be read or holds no frames.
    public init(url: URL) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw ImageError(.unreadable, url.path, "cannot list the frame folder (\(error.localizedDescription))")
        }
        let frames = names.filter { name in
            !name.hasPrefix(".") && ImageFormat.isImageFileName(name)
        }
        guard !frames.isEmpty else {
            throw ImageError(.empty, url.path, "no frame images (\(ImageFormat.fileExtensions.sorted().joined(separator: ", ")))")
        }
        self.url = url
        frameURLs = frames.sorted(by: FrameFolder.playsBefore).map { url.appendingPathComponent($0) }
    }

    /// Decodes frame `index` (0-based).
    public func frame(at index: Int) throws -> Image {
        guard frameURLs.indices.contains(index) else {
            throw ImageError(.invalidArgument, url.path, "frame \(index) is outside 0..<\(count)")
        }
        return try Image(contentsOf: frameURLs[index])
    }

    public func makeIterator() -> Iterator { Iterator(folder: self) }

    /// Decodes frames in order. `next()` ends the sequence after the last frame or at the first
    /// undecodable one, which it keeps in `error`; `nextFrame()` throws instead.
    public struct Iterator: IteratorProtocol {
        private let folder: FrameFolder
        private var position = 0
        /// The error that ended iteration early, if any.
        public private(set) var error: ImageError?

        init(folder: FrameFolder) { self.folder = folder }

        /// The next frame, or nil after the last one; throws when a frame cannot be decoded.
        public mutating func nextFrame() throws -> Image? {
            guard position < folder.count else { return nil }
            defer { position += 1 }
            do {
                return try folder.frame(at: position)
            } catch {
                position = folder.count
                throw error
            }
        }

        public mutating func next() -> Image? {
            do {
                return try nextFrame()
            } catch let failure as ImageError {
                error = failure
            } catch {
                self.error = ImageError(.corrupt, folder.url.path, "\(error)")
            }
            return nil
        }
    }

    /// Numeric order of the last digit run (compared as digit strings, so no overflow), then name.
    static func playsBefore(_ a: String, _ b: String) -> Bool {
        switch (frameNumber(a), frameNumber(b)) {
        case let (x?, y?) where x != y: return x.count != y.count ? x.count < y.count : x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }

    /// The last run of digits in the name without its extension, leading zeros removed ("0" for zero).
    static func frameNumber(_ name: String) -> String? {
        let stem = (name as NSString).deletingPathExtension
        guard let last = stem.lastIndex(where: \.isASCIIDigit) else { return nil }
        var first = last
        while first > stem.startIndex, stem[stem.index(before: first)].isASCIIDigit { first = stem.index(before: first) }
        let digits = stem[first...last].drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
