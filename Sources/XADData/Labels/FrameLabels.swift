import Foundation
import XADImage
import XADTensor

/// Per-frame anomaly labels from the ground-truth files video data sets ship, for the loaders
/// of CUHK Avenue and ShanghaiTech. Each function returns one flag per frame (true: anomalous).
public enum FrameLabels {
    /// Flags from a volume of pixel masks, CUHK Avenue's `testing_label_mask/N_label.mat`
    /// (`volLabel`: a 1 x frames cell of H x W arrays): a frame is anomalous where its mask has
    /// a non-zero pixel.
    public static func fromMaskVolume(_ volume: MATValue, file: String) throws -> [Bool] {
        guard let cell = volume.cell else { throw LabelFileError(file, "the mask volume is not a cell array") }
        return try cell.elements.enumerated().map { index, element in
            guard let mask = element.array else { throw LabelFileError(file, "mask \(index + 1) of the volume is not a numeric array") }
            return mask.values.contains { $0 != 0 }
        }
    }

    /// Flags from anomalous frame ranges: a cell with one 2 x K array per clip whose columns are
    /// `[first; last]` 1-based inclusive frames (the `gt` of the frame-prediction code's
    /// `avenue.mat` / `ped2.mat`); `frameCounts` gives each clip's length.
    public static func fromRangeColumns(_ ranges: MATValue, frameCounts: [Int], file: String) throws -> [[Bool]] {
        let perClip: [MATValue] = ranges.cell?.elements ?? [ranges]
        guard perClip.count == frameCounts.count else {
            throw LabelFileError(file, "ranges for \(perClip.count) clips, but there are \(frameCounts.count) clips")
        }
        return try zip(perClip, frameCounts).enumerated().map { clip, pair in
            let (value, frameCount) = pair
            guard let array = value.array, array.shape.count == 2, array.shape[0] == 2 || array.values.isEmpty else {
                throw LabelFileError(file, "clip \(clip + 1): expected a 2 x K array of [first; last] frames")
            }
            var flags = [Bool](repeating: false, count: frameCount)
            for column in stride(from: 0, to: array.values.count, by: 2) {
                let (a, b) = (array.values[column], array.values[column + 1])
                guard let first = Int(exactly: a), let last = Int(exactly: b), first >= 1, last <= frameCount, first <= last else {
                    throw LabelFileError(file, "clip \(clip + 1): range \(a)...\(b) is not whole frames within 1...\(frameCount)")
                }
                for frame in first...last { flags[frame - 1] = true }
            }
            return flags
        }
    }

    /// Flags from a `.npy` of 0/1 labels for all test frames, clip after clip (MNAD's
    /// `frame_labels_avenue.npy`, `frame_labels_shanghai.npy`; shape `[N]` or `[1, N]`), split by
    /// `frameCounts`. Throws when the total differs from the clips' frames or a value is not 0/1.
    public static func fromConcatenatedNPY(_ url: URL, frameCounts: [Int]) throws -> [[Bool]] {
        let labels = try NPYFile.read(contentsOf: url)
        let values = labels.scalars
        guard labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[0] == 1) else {
            throw LabelFileError(url.path, "expected labels of shape [N] or [1, N], found \(labels.shape)")
        }
        let total = frameCounts.reduce(0, +)
        guard values.count == total else {
            throw LabelFileError(url.path, "\(values.count) frame labels for \(frameCounts.count) clips of \(total) frames")
        }
        if let index = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw LabelFileError(url.path, "label \(index) is \(values[index]), not 0 or 1")
        }
        var start = 0
        return frameCounts.map { count in
            defer { start += count }
            return values[start..<(start + count)].map { $0 == 1 }
        }
    }
}
