import XADTensor

/// Ruff et al.'s input preprocessing for Deep SVDD on MNIST: global contrast normalisation with
/// the L1 norm, then min-max scaling with the extremes of the normal training class.
///
/// Per image `x` (all channels and pixels together):
/// `g = (x - mean(x)) / mean(|x - mean(x)|)`, then `(g - minimum) / (maximum - minimum)`, where
/// `minimum` and `maximum` are the smallest and largest `g` over the training images
/// (``fitted(to:)``), so training images land in `[0, 1]`. Contrast normalisation ignores any
/// positive affine change of the pixels, so it gives the same result on `[0, 1]` or `[-1, 1]`
/// images. Differentiable. Buffers `minimum` and `maximum` (`[1]` each).
///
/// ```swift
/// let scaling = try ContrastScaling.fitted(to: trainingImages)   // [N, C, H, W]
/// let scaled = try scaling(batch)                                // training images in [0, 1]
/// ```
struct ContrastScaling: Layer {
    var minimum: Tensor
    var maximum: Tensor
    /// The smallest mean absolute deviation divided by: a constant image maps to a constant
    /// (the paper's code divides by 0 there).
    static let smallestDeviation: Float = 1e-6

    /// The scaling whose extremes are those of `images` (`[N, C, H, W]`) after contrast normalisation.
    /// - Throws: ``DetectorError/invalidInput(_:)`` when the normalised images have one value only.
    static func fitted(to images: Tensor) throws -> ContrastScaling {
        let normalised = try contrastNormalised(images.detached)
        let (low, high) = (try normalised.min().scalar ?? 0, try normalised.max().scalar ?? 0)
        guard high > low else {
            throw DetectorError.invalidInput("deepsvdd: every training image is constant; contrast normalisation needs contrast")
        }
        return ContrastScaling(minimum: Tensor(shape: [1], repeating: low), maximum: Tensor(shape: [1], repeating: high))
    }

    /// The buffers of an unfitted scaling (0 and 1), to be replaced by loading a saved model.
    init() {
        self.init(minimum: Tensor(shape: [1], repeating: 0), maximum: Tensor(shape: [1], repeating: 1))
    }

    private init(minimum: Tensor, maximum: Tensor) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// `(x - mean(x)) / mean(|x - mean(x)|)` per image of `[N, ...]`.
    static func contrastNormalised(_ images: Tensor) throws -> Tensor {
        let axes = Array(1..<images.rank)
        let centred = try images - images.mean(axes: axes, keepingDimensions: true)
        let deviation = try centred.abs().mean(axes: axes, keepingDimensions: true).clamped(min: smallestDeviation, max: nil)
        return try centred / deviation
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.buffer("minimum", &minimum)
        visitor.buffer("maximum", &maximum)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try (Self.contrastNormalised(input) - minimum) / (maximum - minimum)
    }
}
