import Foundation
import XADImage
import XADTensor

/// A small data set in XADKit's `folder` layout, written to a fresh temporary folder, for fast
/// end-to-end tests of fitting, scoring and evaluation:
///
/// ```
/// root/normal/normal_00.png ...            a smooth striped texture with a little noise
/// root/abnormal/spot/spot_0.png ...        the texture with a bright square
/// root/abnormal/scratch/scratch_0.png ...  the texture with a dark bar
/// root/masks/<class>/<same name>.png       255 on the defect, 0 elsewhere
/// ```
/// The folder format holds out every fifth normal image as a normal test image.
public struct SyntheticDataset: Sendable {
    /// The data set's folder.
    public let root: URL
    /// The side of every image, in pixels.
    public let size: Int

    /// Writes `normal` normal images and `perClass` anomalous images of each class, seeded.
    public init(normal: Int = 10, perClass: Int = 2, size: Int = 64, seed: UInt64 = 1) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-synthetic-\(UUID().uuidString)")
        self.size = size
        var generator = SeededGenerator(seed: seed)
        try folder("normal")
        for index in 0..<normal {
            try write(texture(&generator), to: "normal/normal_\(String(format: "%02d", index)).png")
        }
        for defect in ["spot", "scratch"] {
            try folder("abnormal/\(defect)")
            try folder("masks/\(defect)")
            for index in 0..<perClass {
                var image = texture(&generator)
                var mask = [Float](repeating: 0, count: size * size)
                let top = Int.random(in: 8..<(size - 24), using: &generator)
                let left = Int.random(in: 8..<(size - 24), using: &generator)
                let (height, width, value): (Int, Int, Float) = defect == "spot" ? (12, 12, 1) : (3, 16, 0)
                for y in top..<(top + height) {
                    for x in left..<(left + width) {
                        mask[y * size + x] = 1
                        for channel in 0..<3 { image[(channel * size + y) * size + x] = value }
                    }
                }
                try write(image, to: "abnormal/\(defect)/\(defect)_\(index).png")
                try write(mask, channels: 1, to: "masks/\(defect)/\(defect)_\(index).png")
            }
        }
    }

    /// The file at `relativePath` inside the data set.
    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Deletes the data set's folder.
    public func remove() { try? FileManager.default.removeItem(at: root) }

    /// Stripes with a random phase and a little noise, RGB planes `[3, size, size]`.
    private func texture(_ generator: inout SeededGenerator) -> [Float] {
        let phase = Float.random(in: 0..<1, using: &generator)
        var planes = [Float](repeating: 0, count: 3 * size * size)
        for channel in 0..<3 {
            for y in 0..<size {
                for x in 0..<size {
                    let stripe = 0.15 * sin(Float(x) * 0.5 + phase) * cos(Float(y) * 0.3)
                    let noise = Float.random(in: -0.03..<0.03, using: &generator)
                    planes[(channel * size + y) * size + x] = 0.45 + 0.05 * Float(channel) + stripe + noise
                }
            }
        }
        return planes
    }

    private func folder(_ relativePath: String) throws {
        try FileManager.default.createDirectory(at: url(relativePath), withIntermediateDirectories: true)
    }

    private func write(_ planes: [Float], channels: Int = 3, to relativePath: String) throws {
        let tensor = try Tensor(shape: [1, channels, size, size], scalars: planes)
        try Image(tensor: tensor).write(to: url(relativePath), format: .png)
    }
}
