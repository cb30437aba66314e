import Foundation

/// The settings of the structural similarity index (SSIM, Wang et al., "Image Quality Assessment:
/// From Error Visibility to Structural Similarity", IEEE TIP 2004), as scikit-image's
/// `structural_similarity` takes them.
///
/// ```swift
/// let wang = SSIMSettings.gaussian(dataRange: 2)     // 11 x 11 Gaussian window, sigma 1.5
/// let skimageDefault = SSIMSettings.uniform(dataRange: 1)   // 7 x 7 uniform window
/// ```
public struct SSIMSettings: Sendable, Equatable {
    /// The local window over which means, variances and the covariance are taken.
    public enum Window: Sendable, Equatable {
        /// A Gaussian of standard deviation `sigma` pixels, truncated at 3.5 sigma
        /// (`2 ⌊3.5σ + 0.5⌋ + 1` taps: 11 for sigma 1.5).
        case gaussian(sigma: Float)
        /// A `size` x `size` box (odd `size`).
        case uniform(size: Int)
    }

    public var window: Window
    /// The span of the pixel values (1 for images in 0...1, 2 for -1...1); the stabilising
    /// constants are `(k1 · dataRange)²` and `(k2 · dataRange)²`.
    public var dataRange: Float
    /// Whether local variances use the sample normalisation `n / (n - 1)` (n: the window's
    /// pixels), as scikit-image does by default; Wang et al.'s Gaussian SSIM does not.
    public var sampleCovariance: Bool
    public var k1: Float = 0.01
    public var k2: Float = 0.03

    public init(window: Window, dataRange: Float, sampleCovariance: Bool) {
        self.window = window
        self.dataRange = dataRange
        self.sampleCovariance = sampleCovariance
    }

    /// Wang et al.'s SSIM: an 11 x 11 Gaussian window of sigma 1.5, population covariance
    /// (scikit-image's `gaussian_weights=True, sigma=1.5, use_sample_covariance=False`).
    public static func gaussian(dataRange: Float) -> SSIMSettings {
        SSIMSettings(window: .gaussian(sigma: 1.5), dataRange: dataRange, sampleCovariance: false)
    }

    /// scikit-image's default: a 7 x 7 uniform window with the sample covariance.
    public static func uniform(dataRange: Float) -> SSIMSettings {
        SSIMSettings(window: .uniform(size: 7), dataRange: dataRange, sampleCovariance: true)
    }

    /// The 1-D filter taps, normalised to sum 1 (computed in Double, as scipy does).
    var taps: [Float] {
        switch window {
        case .gaussian(let sigma):
            let radius = Int(3.5 * Double(sigma) + 0.5)
            let raw = (-radius...radius).map { Foundation.exp(-0.5 * Double($0 * $0) / Double(sigma * sigma)) }
            let total = raw.reduce(0, +)
            return raw.map { Float($0 / total) }
        case .uniform(let size):
            return [Float](repeating: 1 / Float(size), count: size)
        }
    }

    /// Throws ``TensorError`` for settings no image can use.
    func validate(_ op: String) throws {
        guard dataRange > 0, dataRange.isFinite else {
            throw TensorError(.invalidArgument, op, "data range \(dataRange) must be positive and finite")
        }
        switch window {
        case .gaussian(let sigma) where !(sigma > 0 && sigma.isFinite):
            throw TensorError(.invalidArgument, op, "Gaussian window sigma \(sigma) must be positive and finite")
        case .uniform(let size) where size < 1 || size % 2 == 0:
            throw TensorError(.invalidArgument, op, "uniform window size \(size) must be a positive odd number")
        default: break
        }
    }
}

extension Tensor {
    /// The per-pixel SSIM of two NCHW batches of the same shape, `[N, C, H, W]`, equal to
    /// scikit-image's `structural_similarity(..., full=True)` map (per channel); differentiable
    /// in both inputs.
    ///
    /// With local means `μ`, variances `σ²` and covariance `σxy` (filtered by the settings'
    /// window, borders reflected with the edge pixel repeated):
    /// `SSIM = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))`,
    /// `C1 = (k1 · dataRange)²`, `C2 = (k2 · dataRange)²`. 1 where the images agree.
    ///
    /// ```swift
    /// let map = try image.structuralSimilarityMap(reconstruction, .gaussian(dataRange: 2))
    /// let residual = 1 - map   // the SSIM autoencoder's anomaly map
    /// ```
    /// - Throws: ``TensorError`` for shapes that differ or are not rank 4, or invalid settings.
    public func structuralSimilarityMap(_ other: Tensor, _ settings: SSIMSettings) throws -> Tensor {
        let op = "structuralSimilarity"
        guard rank == 4, shape == other.shape else {
            throw TensorError(.shapeMismatch, op, "inputs \(shape) and \(other.shape) must be NCHW of the same shape")
        }
        try settings.validate(op)
        let taps = settings.taps
        func local(_ t: Tensor) -> Tensor { t.separableFilter(taps, border: .symmetric, name: op) }
        let pixels = Float(taps.count * taps.count)
        let covarianceScale: Float = settings.sampleCovariance ? pixels / (pixels - 1) : 1
        let (meanX, meanY) = (local(self), local(other))
        let varianceX = try (local(try self * self) - meanX * meanX) * covarianceScale
        let varianceY = try (local(try other * other) - meanY * meanY) * covarianceScale
        let covariance = try (local(try self * other) - meanX * meanY) * covarianceScale
        let c1 = (settings.k1 * settings.dataRange) * (settings.k1 * settings.dataRange)
        let c2 = (settings.k2 * settings.dataRange) * (settings.k2 * settings.dataRange)
        let luminance = try (meanX * meanY * 2 + c1) / (meanX * meanX + meanY * meanY + c1)
        let structure = try (covariance * 2 + c2) / (varianceX + varianceY + c2)
        return try luminance * structure
    }

    /// The mean SSIM of each image of two NCHW batches, `[N]`: the map of
    /// ``structuralSimilarityMap(_:_:)`` averaged over channels and over the pixels at least
    /// `(window - 1) / 2` from the border, as scikit-image's `structural_similarity` reports it;
    /// differentiable.
    ///
    /// ```swift
    /// let ssim = try x.structuralSimilarity(y, .gaussian(dataRange: 1))   // [N], 1 for identical images
    /// ```
    /// - Throws: ``TensorError`` as ``structuralSimilarityMap(_:_:)`` does, or when the images
    ///   are not larger than the window.
    public func structuralSimilarity(_ other: Tensor, _ settings: SSIMSettings) throws -> Tensor {
        let map = try structuralSimilarityMap(other, settings)
        let border = settings.taps.count / 2
        let (height, width) = (shape[2], shape[3])
        guard height > 2 * border, width > 2 * border else {
            throw TensorError(.invalidArgument, "structuralSimilarity",
                              "images of \(height) x \(width) pixels leave nothing inside a window of \(settings.taps.count)")
        }
        return try map.sliced(axis: 2, range: border..<(height - border)).sliced(axis: 3, range: border..<(width - border))
            .mean(axes: [1, 2, 3])
    }
}
