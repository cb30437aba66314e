import Foundation
import XADTensor

/// One gray channel as `Float`s, row-major (`values[y * width + x]`): the form the motion
/// primitives (optical flow, background model, frame differencing) work on.
///
/// ```swift
/// let frame = GrayPlane(try Image(contentsOf: url))     // luma in 0...1
/// let smooth = frame.gaussianBlurred(sigma: 1.5)
/// ```
public struct GrayPlane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values, row-major.
    public var values: [Float] {
        didSet { precondition(values.count == width * height, "GrayPlane.values count changed") }
    }

    /// A plane from row-major values; throws when the count is not `width * height` or a side is not positive.
    public init(width: Int, height: Int, values: [Float]) throws {
        guard width > 0, height > 0, values.count == width * height else {
            throw ImageError(.invalidArgument, "gray plane", "\(values.count) values for \(width)x\(height)")
        }
        (self.width, self.height, self.values) = (width, height, values)
    }

    /// A constant plane.
    public init(width: Int, height: Int, repeating value: Float = 0) {
        precondition(width > 0 && height > 0, "GrayPlane: sides must be positive")
        (self.width, self.height) = (width, height)
        values = [Float](repeating: value, count: width * height)
    }

    /// The image's luma in 0...1 (ITU-R 601: 0.299 R + 0.587 G + 0.114 B; gray images as they are;
    /// alpha ignored).
    public init(_ image: Image) {
        (width, height) = (image.width, image.height)
        let scale = 1 / Float(image.maximumSampleValue)
        let samples = image.samples, channels = image.channels
        if channels >= 3 {
            values = (0..<(width * height)).map { i in
                let base = i * channels
                return (0.299 * Float(samples[base]) + 0.587 * Float(samples[base + 1]) + 0.114 * Float(samples[base + 2])) * scale
            }
        } else {
            values = (0..<(width * height)).map { Float(samples[$0 * channels]) * scale }
        }
    }

    /// The luma of a `[1, C, H, W]` or `[C, H, W]` image tensor (C = 1 or 3) or a `[H, W]` plane.
    public init(tensor: Tensor) throws {
        let shape = tensor.shape
        let channels: Int
        switch shape.count {
        case 2: channels = 1
        case 3 where shape[0] == 1 || shape[0] == 3: channels = shape[0]
        case 4 where shape[0] == 1 && (shape[1] == 1 || shape[1] == 3): channels = shape[1]
        default: throw ImageError(.invalidArgument, "gray plane", "expected [H, W], [C, H, W] or [1, C, H, W] with C = 1 or 3, got \(shape)")
        }
        let (h, w) = (shape[shape.count - 2], shape[shape.count - 1])
        let scalars = tensor.scalars, plane = h * w
        let values = channels == 1 ? scalars
            : (0..<plane).map { 0.299 * scalars[$0] + 0.587 * scalars[plane + $0] + 0.114 * scalars[2 * plane + $0] }
        try self.init(width: w, height: h, values: values)
    }

    /// The plane as a `[1, 1, H, W]` tensor.
    public func tensor() -> Tensor {
        Tensor(shape: [1, 1, height, width]) { out in
            for i in 0..<values.count { out[i] = values[i] }
        }
    }

    /// The value at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// The bilinear interpolation at a real position, with coordinates clamped to the plane.
    @inline(__always)
    func sample(x: Float, y: Float) -> Float {
        let cx = min(max(x, 0), Float(width - 1)), cy = min(max(y, 0), Float(height - 1))
        let x0 = min(Int(cx), max(width - 2, 0)), y0 = min(Int(cy), max(height - 2, 0))
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let fx = cx - Float(x0), fy = cy - Float(y0)
        let top = values[y0 * width + x0] + fx * (values[y0 * width + x1] - values[y0 * width + x0])
        let bottom = values[y1 * width + x0] + fx * (values[y1 * width + x1] - values[y1 * width + x0])
        return top + fy * (bottom - top)
    }

    /// The plane convolved with a Gaussian of standard deviation `sigma` pixels (`2 ceil(3 sigma) + 1`
    /// taps, edges reflected, as `Tensor.gaussianBlur(sigma:kernelSize:)`); `sigma <= 0` returns
    /// the plane unchanged.
    public func gaussianBlurred(sigma: Float) -> GrayPlane {
        guard sigma > 0 else { return self }
        return GrayPlane(unchecked: width, height, GrayPlane.blurred([values], width: width, height: height, sigma: sigma)[0])
    }

    /// Several planes of one size blurred in one call (the kernel's threads see all of them).
    static func blurred(_ planes: [[Float]], width: Int, height: Int, sigma: Float) -> [[Float]] {
        let count = width * height
        let stacked = Tensor(shape: [1, planes.count, height, width]) { out in
            for (k, plane) in planes.enumerated() { for i in 0..<count { out[k * count + i] = plane[i] } }
        }
        let size = 2 * max(1, Int((3 * sigma).rounded(.up))) + 1
        // sigma > 0 and an odd size on a rank-4 tensor: gaussianBlur cannot fail here.
        guard let blurred = try? stacked.gaussianBlur(sigma: sigma, kernelSize: size) else { return planes }
        let scalars = blurred.scalars
        return planes.indices.map { k in Array(scalars[(k * count)..<((k + 1) * count)]) }
    }

    /// Every second pixel of the plane blurred with sigma 1 (one pyramid level up).
    func halved() -> GrayPlane {
        let smooth = gaussianBlurred(sigma: 1)
        let (w, h) = ((width + 1) / 2, (height + 1) / 2)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { out[y * w + x] = smooth.values[2 * y * width + 2 * x] } }
        return GrayPlane(unchecked: w, h, out)
    }

    /// Trusted construction from values already of the right count.
    init(unchecked width: Int, _ height: Int, _ values: [Float]) {
        (self.width, self.height, self.values) = (width, height, values)
    }
}
