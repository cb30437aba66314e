import Foundation
import XADImage
import XADMetrics

/// Score maps and masks stored one per file: an `.npy` array of shape [H, W] (or [1, H, W],
/// [1, 1, H, W]), or a gray PNG (a colour PNG must have equal channels; alpha is ignored).
///
/// A PNG is scaled to 0...1 by its maximum sample value (255 or 65535); an `.npy` array is taken
/// as stored.
extension ScoreMap {
    /// Reads the score map in the `.npy` or `.png` file at `url`; its name is the file's path.
    /// - Throws: ``MapMaskError``, `ImageError` or ``MetricsError`` naming the file.
    public init(contentsOf url: URL) throws {
        let plane = try Plane(contentsOf: url)
        try self.init(height: plane.height, width: plane.width, scores: plane.values, name: url.path)
    }
}

extension DefectMask {
    /// Reads the mask in the `.npy` or `.png` file at `url` (a PNG scaled to 0...1);
    /// it must be binary unless `threshold` is given (see ``DefectMask/init(height:width:values:threshold:name:)``).
    /// - Throws: ``MapMaskError``, `ImageError` or ``MetricsError`` naming the file.
    public init(contentsOf url: URL, threshold: Float? = nil) throws {
        let plane = try Plane(contentsOf: url)
        try self.init(height: plane.height, width: plane.width, values: plane.values, threshold: threshold, name: url.path)
    }
}

/// One 2-D plane of values read from a map or mask file.
private struct Plane {
    let height: Int, width: Int
    let values: [Float]

    init(contentsOf url: URL) throws {
        if url.pathExtension.lowercased() == "npy" {
            let tensor = try NPYFile.read(contentsOf: url)
            let sizes = tensor.shape.drop { $0 == 1 && tensor.shape.count > 2 }
            guard sizes.count == 2 else { throw MapMaskError.notAPlane(url, shape: tensor.shape) }
            (height, width, values) = (sizes[sizes.startIndex], sizes[sizes.startIndex + 1], tensor.scalars)
            return
        }
        let image = try Image(contentsOf: url)
        let colours = image.hasAlpha ? image.channels - 1 : image.channels
        let scale = 1 / Float(image.maximumSampleValue)
        var values = [Float](repeating: 0, count: image.width * image.height)
        for pixel in values.indices {
            let first = image.samples[pixel * image.channels]
            for channel in 1..<max(colours, 1) where image.samples[pixel * image.channels + channel] != first {
                throw MapMaskError.colourImage(url, x: pixel % image.width, y: pixel / image.width)
            }
            values[pixel] = Float(first) * scale
        }
        (height, width, self.values) = (image.height, image.width, values)
    }
}
