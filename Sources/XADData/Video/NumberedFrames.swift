import Foundation
import XADImage

/// The frame files of one clip folder, checked to be numbered without gaps from a first number.
struct NumberedFrames {
    /// The frame files in number order.
    let urls: [URL]
    /// Each file's frame number.
    let numbers: [Int]

    /// Lists the images in `folder` (hidden files ignored) and orders them by the last run of
    /// digits in each name. Throws ``VideoDataError`` for an unnumbered, duplicated or missing
    /// frame, or numbering that starts elsewhere than `first` (nil: any start).
    init(folder: URL, clip: String, first: Int?) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let images = names.filter { !$0.hasPrefix(".") && ImageFormat.isImageFileName($0) }
        guard !images.isEmpty else { throw DatasetError.emptyFolder(folder, expected: "numbered frame images of clip \(clip)") }
        var numbered: [(number: Int, url: URL)] = []
        for name in images {
            let url = folder.appendingPathComponent(name)
            guard let number = Self.frameNumber(name) else { throw VideoDataError.unnumberedFrame(clip: clip, file: url) }
            numbered.append((number, url))
        }
        numbered.sort { $0.number != $1.number ? $0.number < $1.number : $0.url.lastPathComponent < $1.url.lastPathComponent }
        let start = numbered[0].number
        if let first, start != first {
            throw VideoDataError.frameNumbering(clip: clip, folder: folder, first: start, expectedFirst: first)
        }
        for (offset, entry) in numbered.enumerated() where entry.number != start + offset {
            if offset > 0, numbered[offset - 1].number == entry.number {
                throw VideoDataError.duplicateFrame(clip: clip, number: entry.number, files: [numbered[offset - 1].url, entry.url])
            }
            throw VideoDataError.frameGap(clip: clip, folder: folder, missing: start + offset, first: start,
                                          last: numbered[numbered.count - 1].number)
        }
        urls = numbered.map(\.url)
        numbers = numbered.map(\.number)
    }

    /// The last run of ASCII digits in the name without its extension, e.g. 49 for "frame049.bmp".
    static func frameNumber(_ name: String) -> Int? {
        let stem = Array((name as NSString).deletingPathExtension.utf8)
        guard let last = stem.lastIndex(where: { (48...57).contains($0) }) else { return nil }
        var first = last
        while first > 0, (48...57).contains(stem[first - 1]) { first -= 1 }
        let digits = stem[first...last].drop { $0 == 48 }
        guard digits.count <= 9 else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}
