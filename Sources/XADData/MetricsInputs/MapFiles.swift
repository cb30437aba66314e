import Foundation
import XADImage
import XADMetrics

/// Score maps and masks stored one per file: an `.npy` array of shape [H, W] (or [1, H, W],
/// [1, 1, H, W]), or a gray PNG (a colour PNG must have equal channels; alpha is ignored).
///
/// A PNG is scaled to 0...1 by its maximum sample value (255 or 65535). An `.npy` map is taken as
/// stored. An `.npy` mask is taken as stored too, except a `uint8` mask with a value above 1: that
/// is the 0/255 convention of MVTec AD tools and anomalib, and it is scaled by 1/255 exactly as an
/// 8-bit PNG mask is (a `uint8` mask of 0 and 1 stays as it is).
extension ScoreMap {
    /// Reads the score map in the `.npy` or `.png` file at `url`; its name is the file's path.
    /// - Throws: ``MapMaskError``, `ImageError` or `MetricsError` naming the file.
    public init(contentsOf url: URL) throws {
        let plane = try Plane(contentsOf: url, isMask: false)
        try self.init(height: plane.height, width: plane.width, scores: plane.values, name: url.path)
    }
}

extension DefectMask {
    /// Reads the mask in the `.npy` or `.png` file at `url` (values scaled to 0...1 as above);
    /// it must be binary unless `threshold` is given (see `DefectMask.init(height:width:values:threshold:name:)`).
    /// - Throws: ``MapMaskError``, `ImageError` or `MetricsError` naming the file.
    public init(contentsOf url: URL, threshold: Float? = nil) throws {
        let plane = try Plane(contentsOf: url, isMask: true)
        try self.init(height: plane.height, width: plane.width, values: plane.values, threshold: threshold, name: url.path)
    }
}

/// One 2-D plane of values read from a map or mask file.
private struct Plane {
    let height: Int, width: Int
    var values: [Float]

    init(contentsOf url: URL, isMask: Bool) throws {
        if url.pathExtension.lowercased() == "npy" {
            let (tensor, elementType) = try NPYFile.readArray(contentsOf: url)
            let sizes = tensor.shape.drop { $0 == 1 && tensor.shape.count > 2 }
            guard sizes.count == 2 else { throw MapMaskError.notAPlane(url, shape: tensor.shape) }
            (height, width, values) = (sizes[sizes.startIndex], sizes[sizes.startIndex + 1], tensor.scalars)
            if isMask, elementType == .uint8, values.contains(where: { $0 > 1 }) {
                let scale = Self.scale(maximum: 255)
                values = values.map { $0 * scale }
            }
            return
        }
        let image = try Image(contentsOf: url)
        let colours = image.hasAlpha ? image.channels - 1 : image.channels
        let scale = Self.scale(maximum: image.maximumSampleValue)
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

    /// The factor that takes samples of 0...`maximum` to 0...1; one formula for PNG and `uint8`
    /// arrays, so that both give the same values.
    static func scale(maximum: UInt16) -> Float { 1 / Float(maximum) }
}
