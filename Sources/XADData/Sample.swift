import Foundation
import XADImage
import XADTensor

/// A decoded sample: the image and its ground-truth mask at the image's original size.
public struct Sample: Sendable {
    /// Where it came from and its label.
    public let reference: SampleReference
    /// The image as [1, C, H, W] in 0...1, C = 1 (gray) or 3 (RGB); alpha is dropped.
    public let image: Tensor
    /// The defect mask as [1, 1, H, W] with values 0 or 1 (all zero for normal images and for
    /// anomalous images without a mask source).
    public let mask: Tensor
    /// False when an anomalous image has no mask: pixel metrics skip it.
    public let hasMask: Bool

    /// The image's height and width.
    public var size: Size2 { Size2(height: image.shape[2], width: image.shape[3]) }
}

extension SampleReference {
    /// Decodes the image (a video's ``SampleReference/frame`` through `VideoFrameReader.shared`)
    /// and builds its mask.
    /// - Throws: `ImageError` for an unreadable image or mask, ``SampleError`` for a mask whose
    ///   size differs from the image's.
    public func load() throws -> Sample {
        let decoded = try frame.map { try VideoFrameReader.shared.frame($0, of: image) } ?? Image(contentsOf: image)
        var tensor = decoded.toTensor()
        if decoded.hasAlpha {
            tensor = try tensor.sliced(axis: 1, range: 0..<(decoded.channels - 1))
        }
        let height = decoded.height, width = decoded.width
        switch mask {
        case nil:
            return Sample(reference: self, image: tensor, mask: .zeros([1, 1, height, width]),
                          hasMask: label == .normal)
        case .boxes(let boxes):
            return Sample(reference: self, image: tensor, mask: Self.rasterise(boxes, height: height, width: width),
                          hasMask: true)
        case .volumeSlice(let url, let index):
            let slice = try NPYFile.readSlice(contentsOf: url, index: index)
            guard slice.shape == [height, width] else {
                throw SampleError.maskSizeMismatch(mask: url, maskSize: Size2(height: slice.shape.first ?? 0, width: slice.shape.last ?? 0),
                                                   image: image, imageSize: Size2(height: height, width: width))
            }
            let values = slice.scalars
            let binary = Tensor(shape: [1, 1, height, width]) { out in
                for i in 0..<out.count { out[i] = values[i] != 0 ? 1 : 0 }
            }
            return Sample(reference: self, image: tensor, mask: binary, hasMask: true)
        case .file(let url, let threshold):
            let maskImage = try Image(contentsOf: url)
            guard maskImage.width == width, maskImage.height == height else {
                throw SampleError.maskSizeMismatch(mask: url, maskSize: Size2(height: maskImage.height, width: maskImage.width),
                                                   image: image, imageSize: Size2(height: height, width: width))
            }
            let scale = Float(maskImage.maximumSampleValue) / 255
            let cut = Float(threshold) * scale
            let samples = maskImage.samples, stride = maskImage.channels
            let binary = Tensor(shape: [1, 1, height, width]) { out in
                for i in 0..<out.count { out[i] = Float(samples[i * stride]) >= cut ? 1 : 0 }
            }
            return Sample(reference: self, image: tensor, mask: binary, hasMask: true)
        }
    }

    /// A [1, 1, H, W] mask with ones inside the boxes (clipped to the image).
    static func rasterise(_ boxes: [DefectBox], height: Int, width: Int) -> Tensor {
        Tensor(shape: [1, 1, height, width]) { out in
            out.initialize(repeating: 0)
            for box in boxes {
                let rows = Swift.max(0, box.y1)..<Swift.min(height, box.y2)
                let columns = Swift.max(0, box.x1)..<Swift.min(width, box.x2)
                guard !rows.isEmpty, !columns.isEmpty else { continue }
                for y in rows { for x in columns { out[y * width + x] = 1 } }
            }
        }
    }
}

/// A sample whose parts do not fit together.
public enum SampleError: StatusReportingError, CustomStringConvertible, Equatable {
    /// Parts of a sample that do not fit together are bad data.
    public var exitStatus: ExitStatus { .data }

    case maskSizeMismatch(mask: URL, maskSize: Size2, image: URL, imageSize: Size2)

    public var description: String {
        switch self {
        case .maskSizeMismatch(let mask, let maskSize, let image, let imageSize):
            "\(mask.path): mask is \(maskSize.width)x\(maskSize.height) but its image \(image.lastPathComponent) is \(imageSize.width)x\(imageSize.height)"
        }
    }
}
