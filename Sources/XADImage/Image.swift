import Foundation
import XADTensor

/// A decoded raster image: `height` rows of `width` pixels, each `channels` samples, interleaved
/// row-major (`samples[(y * width + x) * channels + c]`).
///
/// Samples are stored as `UInt16` for every bit depth: an 8-bit image holds values 0...255, a
/// 16-bit image 0...65535 (`maximumSampleValue`). One storage type keeps transforms and drawing
/// code free of per-depth branches; the codecs convert at the boundary.
///
/// Channels: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
///
/// ```swift
/// let image = try Image(contentsOf: URL(fileURLWithPath: "000.png"))   // format from magic bytes
/// let x = image.toTensor()                                             // [1, C, H, W] in 0...1
/// try Image(tensor: x).write(to: URL(fileURLWithPath: "copy.png"))
/// ```
public struct Image: Sendable, Equatable {
    /// The largest number of pixels (width x height) a decoder accepts: `ReadingLimits.current`'s
    /// `maxPixels`, 2^28 (16384 x 16384) unless raised (`XAD_LIMITS=maxPixels=N`). Headers claiming
    /// more are refused before any pixel memory is allocated.
    public static var maximumPixelCount: Int { ReadingLimits.current.maxPixels }

    public let width: Int
    public let height: Int
    /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// 8 or 16.
    public let bitDepth: Int
    /// Interleaved row-major samples; always `width * height * channels` of them. Values above
    /// `maximumSampleValue` in an 8-bit image are clamped to 255 by the encoders.
    public var samples: [UInt16] {
        didSet { precondition(samples.count == width * height * channels, "Image.samples count changed") }
    }

    /// The largest sample value: 255 for 8-bit images, 65535 for 16-bit ones.
    public var maximumSampleValue: UInt16 { bitDepth == 16 ? .max : 255 }

    /// Whether the last channel is alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// An image from interleaved samples; throws when the count, channels, depth or values disagree.
    public init(width: Int, height: Int, channels: Int, bitDepth: Int = 8, samples: [UInt16]) throws {
        try Image.validate(width: width, height: height, channels: channels, bitDepth: bitDepth, source: "image")
        guard samples.count == width * height * channels else {
            throw ImageError(.invalidArgument, "image",
                             "\(samples.count) samples for \(width)x\(height)x\(channels) (want \(width * height * channels))")
        }
        if bitDepth == 8, let large = samples.first(where: { $0 > 255 }) {
            throw ImageError(.invalidArgument, "image", "sample value \(large) exceeds 255 in an 8-bit image")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = samples
    }

    /// A constant image (every sample `value`), e.g. a black canvas to draw on.
    public init(width: Int, height: Int, channels: Int, bitDepth: Int = 8, repeating value: UInt16 = 0) throws {
        let clamped = bitDepth == 8 ? min(value, 255) : value
        try self.init(width: width, height: height, channels: channels, bitDepth: bitDepth,
                      samples: [UInt16](repeating: clamped, count: max(0, width * height * channels)))
    }

    /// Trusted construction for decoders that already validated the header.
    init(validatedWidth width: Int, height: Int, channels: Int, bitDepth: Int, samples: [UInt16]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = samples
    }

    /// The sample at column `x`, row `y`, channel `channel` (programmer error when out of range).
    public subscript(x: Int, y: Int, channel: Int) -> UInt16 {
        get { samples[(y * width + x) * channels + channel] }
        set { samples[(y * width + x) * channels + channel] = min(newValue, maximumSampleValue) }
    }

    /// 8-bit samples widened to the `UInt16` storage (a plain pointer loop that vectorises;
    /// `Array.map` does not, and decoders call this on every pixel).
    static func widened(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: bytes.count) { output, initialized in
            guard let source = bytes.baseAddress, let target = output.baseAddress else { return initialized = 0 }
            for index in 0..<bytes.count { target[index] = UInt16(source[index]) }
            initialized = bytes.count
        }
    }

    /// Checks a header's geometry before anything is allocated.
    static func validate(width: Int, height: Int, channels: Int, bitDepth: Int, source: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(.invalidSize, source, "image size \(width)x\(height) has no pixels")
        }
        let limits = ReadingLimits.current
        guard let pixels = ReadingLimits.product([width, height]), pixels <= limits.maxPixels else {
            throw ImageError(.invalidSize, source,
                             "image size \(width)x\(height) exceeds the limit of \(limits.maxPixels) pixels \(limits.advice("maxPixels"))")
        }
        guard (1...4).contains(channels) else {
            throw ImageError(.invalidArgument, source, "\(channels) channels (want 1, 2, 3 or 4)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw ImageError(.invalidArgument, source, "bit depth \(bitDepth) (want 8 or 16)")
        }
    }
}

extension Image {
    /// The image as a `[1, C, H, W]` tensor with values in 0...1: `sample / 255` for 8-bit images,
    /// `sample / 65535` for 16-bit ones. Alpha, when present, is kept as the last channel.
    public func toTensor() -> Tensor {
        let (width, height, channels) = (self.width, self.height, self.channels)
        let maximum = Float(maximumSampleValue)
        let plane = width * height
        return samples.withUnsafeBufferPointer { source in
            Tensor(shape: [1, channels, height, width]) { out in
                for pixel in 0..<plane {
                    for channel in 0..<channels {
                        out[channel * plane + pixel] = Float(source[pixel * channels + channel]) / maximum
                    }
                }
            }
        }
    }

    /// An image from a `[1, C, H, W]` or `[C, H, W]` tensor with values in 0...1 (C = 1...4):
    /// `sample = round(clamp(value, 0, 1) * maximum)`, maximum 255 or 65535 by `bitDepth`.
    /// Throws for other shapes, a NaN value or a bit depth other than 8 or 16.
    public init(tensor: Tensor, bitDepth: Int = 8) throws {
        let shape = tensor.shape
        guard (shape.count == 4 && shape[0] == 1) || shape.count == 3 else {
            throw ImageError(.invalidArgument, "tensor", "shape \(shape) is not [1, C, H, W] or [C, H, W]")
        }
        let (channels, height, width) = (shape[shape.count - 3], shape[shape.count - 2], shape[shape.count - 1])
        try Image.validate(width: width, height: height, channels: channels, bitDepth: bitDepth, source: "tensor")
        let maximum: Float = bitDepth == 16 ? 65535 : 255
        let plane = width * height
        var samples = [UInt16](repeating: 0, count: plane * channels)
        let finite = tensor.withUnsafeBufferPointer { source in
            var finite = true
            for channel in 0..<channels {
                for pixel in 0..<plane {
                    let value = source[channel * plane + pixel]
                    guard !value.isNaN else { finite = false; continue }
                    samples[pixel * channels + channel] = UInt16((min(max(value, 0), 1) * maximum).rounded())
                }
            }
            return finite
        }
        guard finite else { throw ImageError(.invalidArgument, "tensor", "tensor of shape \(shape) contains NaN") }
        self.init(validatedWidth: width, height: height, channels: channels, bitDepth: bitDepth, samples: samples)
    }
}
