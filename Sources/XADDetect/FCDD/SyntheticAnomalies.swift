import Foundation
import XADImage
import XADTensor

/// The synthetic anomalies FCDD's outlier exposure trains on, made from normal images with a
/// seeded generator, each with its mask (the pixels changed).
public enum OutlierExposure: String, Codable, Sendable, CaseIterable {
    /// FCDD's confetti noise (Liznerski et al., Sec. 4.2): one to three axis-aligned rectangles of
    /// random size (8 to 54 pixels per side at 224 x 224, scaled with the image) whose pixels
    /// are shifted by a random colour (one shift for all channels of a gray image) and clamped
    /// to 0...1. FCDD also rotates and blurs the blobs; these are not rotated or blurred.
    case confetti
    /// CutPaste (Li et al., CVPR 2021): a rectangle of 2 to 15 % of the image (aspect ratio
    /// 0.3 to 3.3) copied from one random place of the same image to another.
    case cutpaste

    /// `copies` anomalous versions of each prepared image of `images` (`[N, C, H, W]`,
    /// normalised by `preprocessing`), image after image, and their masks (`[N·copies, 1, H, W]`,
    /// 1 where a pixel was changed).
    public func make(from images: Tensor, copies: Int, preprocessing: Preprocessing,
                     generator: inout SeededGenerator) throws -> (images: Tensor, masks: Tensor) {
        let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let plane = height * width
        let source = images.scalars
        var outputs: [Float] = [], masks: [Float] = []
        outputs.reserveCapacity(source.count * copies)
        for n in 0..<count {
            let original = Array(source[(n * channels * plane)..<((n + 1) * channels * plane)])
            for _ in 0..<copies {
                var image = original
                var mask = [Float](repeating: 0, count: plane)
                switch self {
                case .confetti:
                    confetti(&image, mask: &mask, channels: channels, size: Size2(height: height, width: width),
                             preprocessing: preprocessing, generator: &generator)
                case .cutpaste:
                    cutPaste(&image, mask: &mask, channels: channels, size: Size2(height: height, width: width),
                             generator: &generator)
                }
                outputs += image
                masks += mask
            }
        }
        return (try Tensor(shape: [count * copies, channels, height, width], scalars: outputs),
                try Tensor(shape: [count * copies, 1, height, width], scalars: masks))
    }

    private func confetti(_ image: inout [Float], mask: inout [Float], channels: Int, size: Size2,
                          preprocessing: Preprocessing, generator: inout SeededGenerator) {
        let plane = size.height * size.width
        let isGray = (1..<channels).allSatisfy { c in (0..<plane).allSatisfy { image[c * plane + $0] == image[$0] } }
        let scale = Double(Swift.min(size.height, size.width)) / 224
        let smallest = Swift.max(2, Int((8 * scale).rounded())), largest = Swift.max(smallest, Int((54 * scale).rounded()))
        for _ in 0...Int(generator.next() % 3) {
            let blobHeight = Int.random(in: smallest...largest, using: &generator)
            let blobWidth = Int.random(in: smallest...largest, using: &generator)
            let top = Int.random(in: 0...Swift.max(0, size.height - blobHeight), using: &generator)
            let left = Int.random(in: 0...Swift.max(0, size.width - blobWidth), using: &generator)
            let grayShift = Float.random(in: -1...1, using: &generator)
            let shifts = (0..<channels).map { _ in isGray ? grayShift : Float.random(in: -1...1, using: &generator) }
            for c in 0..<channels {
                let mean = preprocessing.mean[c % preprocessing.mean.count], std = preprocessing.std[c % preprocessing.std.count]
                for y in top..<Swift.min(size.height, top + blobHeight) {
                    for x in left..<Swift.min(size.width, left + blobWidth) {
                        let i = c * plane + y * size.width + x
                        let pixel = Swift.min(1, Swift.max(0, image[i] * std + mean + shifts[c]))
                        image[i] = (pixel - mean) / std
                        mask[y * size.width + x] = 1
                    }
                }
            }
        }
    }

    private func cutPaste(_ image: inout [Float], mask: inout [Float], channels: Int, size: Size2,
                          generator: inout SeededGenerator) {
        let plane = size.height * size.width
        let area = Double(plane) * Double.random(in: 0.02...0.15, using: &generator)
        let aspect = exp(Double.random(in: log(0.3)...log(3.3), using: &generator))
        let patchHeight = Swift.max(1, Swift.min(size.height, Int((area * aspect).squareRoot())))
        let patchWidth = Swift.max(1, Swift.min(size.width, Int((area / aspect).squareRoot())))
        let (fromY, fromX) = (Int.random(in: 0...(size.height - patchHeight), using: &generator),
                              Int.random(in: 0...(size.width - patchWidth), using: &generator))
        let (toY, toX) = (Int.random(in: 0...(size.height - patchHeight), using: &generator),
                          Int.random(in: 0...(size.width - patchWidth), using: &generator))
        let original = image
        for c in 0..<channels {
            for dy in 0..<patchHeight {
                for dx in 0..<patchWidth {
                    image[c * plane + (toY + dy) * size.width + toX + dx] = original[c * plane + (fromY + dy) * size.width + fromX + dx]
                    mask[(toY + dy) * size.width + toX + dx] = 1
                }
            }
        }
    }
}
