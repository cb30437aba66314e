import XADImage
import XADTensor

/// How a reconstruction's difference from its input becomes a training loss and a per-pixel
/// anomaly map: the squared error, or one minus the structural similarity (the SSIM autoencoder
/// of Bergmann et al., VISAPP 2019, which sees a defect as a change of local structure rather
/// than of intensity).
///
/// ```swift
/// let map = try ReconstructionResidual.ssim.map(image, reconstruction, ssim: .gaussian(dataRange: 2))   // [N, 1, H, W]
/// ```
public enum ReconstructionResidual: String, Codable, Sendable, CaseIterable {
    /// Map `mean_c (x - x̂)²`; loss: the mean squared error.
    case l2
    /// Map `1 - mean_c SSIM(x, x̂)` (per-pixel SSIM, Wang et al.'s 11 x 11 Gaussian window);
    /// loss: the mean of that map over the image (no border cropped).
    case ssim

    /// The SSIM settings for images prepared by `preprocessing`: Wang et al.'s window, with the
    /// data range of the normalised pixels (`1 / std`, the widest channel's).
    public static func ssimSettings(for preprocessing: Preprocessing) -> SSIMSettings {
        .gaussian(dataRange: 1 / (preprocessing.std.min() ?? 1))
    }

    /// The per-pixel residual `[N, 1, H, W]` of a batch and its reconstruction; differentiable.
    public func map(_ input: Tensor, _ reconstruction: Tensor, ssim settings: SSIMSettings) throws -> Tensor {
        switch self {
        case .l2: try (input - reconstruction).squared().mean(axes: [1], keepingDimensions: true)
        case .ssim: 1 - (try input.structuralSimilarityMap(reconstruction, settings).mean(axes: [1], keepingDimensions: true))
        }
    }

    /// The training loss (rank 0): the mean of ``map(_:_:ssim:)`` over the batch and its pixels.
    public func loss(_ input: Tensor, _ reconstruction: Tensor, ssim settings: SSIMSettings) throws -> Tensor {
        switch self {
        case .l2: try Loss.meanSquaredError(reconstruction, input)
        case .ssim: try map(input, reconstruction, ssim: settings).mean()
        }
    }
}
