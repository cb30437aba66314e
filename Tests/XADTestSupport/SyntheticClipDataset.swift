import Foundation
import XADImage
import XADTensor

/// A tiny video data set in the UCSD JPEG-frame layout (`--format ucsd`), written to a fresh
/// temporary folder: gray 64 x 48 PNG frames of a bright 6 x 6 square moving right 1 pixel a
/// frame over a faint texture (normal), or 6 pixels a frame (anomalous), for end-to-end tests of
/// video fitting, evaluation and reports.
///
/// ```
/// root/UCSDped2.m                           one [a:b] range (1-based) per test clip
/// root/training/frames/01/000.png ...       `trainingClips` clips of `framesPerClip` normal frames
/// root/testing/frames/01/000.png ...        test clips; clip k is anomalous over `anomalous[k]`
/// root/testing/masks/01/000.png ...         255 on the square in anomalous frames, 0 elsewhere
/// ```
public struct SyntheticClipDataset: Sendable {
    public static let width = 64, height = 48, side = 6
    /// The data set's folder.
    public let root: URL
    /// Each test clip's anomalous frames (0-based).
    public let anomalous: [Range<Int>]
    public let framesPerClip: Int

    public init(trainingClips: Int = 3, framesPerClip: Int = 16, anomalous: [Range<Int>] = [6..<12, 0..<5, 16..<16]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-clips-\(UUID().uuidString)")
        self.anomalous = anomalous
        self.framesPerClip = framesPerClip
        for clip in 0..<trainingClips {
            try writeClip("training/frames/\(Self.name(clip))", start: 4 + 3 * clip, row: 10 + 8 * clip, fast: 0..<0, masks: nil)
        }
        var script = "TestVideoFile = {};\n"
        for (clip, range) in anomalous.enumerated() {
            try writeClip("testing/frames/\(Self.name(clip))", start: 2 + 2 * clip, row: 14 + 6 * clip, fast: range,
                          masks: "testing/masks/\(Self.name(clip))")
            script += range.isEmpty ? "TestVideoFile{end+1}.gt_frame = [];\n"
                : "TestVideoFile{end+1}.gt_frame = [\(range.lowerBound + 1):\(range.upperBound)];\n"
        }
        try Data(script.utf8).write(to: root.appendingPathComponent("UCSDped2.m"))
    }

    /// The clip folder name of clip `index`: "01", "02" ...
    public static func name(_ index: Int) -> String { String(format: "%02d", index + 1) }

    /// Deletes the data set's folder.
    public func remove() { try? FileManager.default.removeItem(at: root) }

    /// One clip: the square starts at column `start` of row `row` and moves 1 pixel a frame, 6
    /// in the frames of `fast`; masks mark it in the fast frames when `masks` names a folder.
    private func writeClip(_ folder: String, start: Int, row: Int, fast: Range<Int>, masks: String?) throws {
        let (width, height, side) = (Self.width, Self.height, Self.side)
        for path in [folder] + (masks.map { [$0] } ?? []) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        var x = start
        for frame in 0..<framesPerClip {
            x += fast.contains(frame) ? 6 : 1
            let left = x % (width - side)
            var pixels = [Float](repeating: 0, count: width * height)
            var mask = pixels
            for y in 0..<height {
                for column in 0..<width {
                    let inside = (row..<(row + side)).contains(y) && (left..<(left + side)).contains(column)
                    pixels[y * width + column] = inside ? 0.9 : 0.3 + 0.05 * Float((column / 8 + y / 8) % 2)
                    mask[y * width + column] = inside && fast.contains(frame) ? 1 : 0
                }
            }
            let file = String(format: "%03d.png", frame)
            try write(pixels, to: "\(folder)/\(file)")
            if let masks { try write(mask, to: "\(masks)/\(file)") }
        }
    }

    private func write(_ pixels: [Float], to relativePath: String) throws {
        let tensor = try Tensor(shape: [1, 1, Self.height, Self.width], scalars: pixels)
        try Image(tensor: tensor).write(to: root.appendingPathComponent(relativePath), format: .png)
    }
}
