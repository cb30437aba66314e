import XADTensor

/// FCDD's training objective (Liznerski et al., ICLR 2021, Eq. 1 and its semi-supervised form),
/// a hypersphere classifier (HSC) loss on the network's pseudo-Huber output
/// `A(x) = sqrt(φ(x)² + 1) - 1`, which is near 0 for normal pixels and grows with `|φ|`.
///
/// Image level (labels `y`): normal images pull the mean of `A` to 0, anomalous ones push it up:
///
/// `L = mean_n [(1 - yₙ) · mean A(xₙ) - yₙ · log(1 - exp(-mean A(xₙ)))]`
///
/// Pixel level (masks `M`, on `A'` upsampled to the image, FCDD's `__gt_loss`): per image
/// `mean(A' · (1 - M)) - log(1 - exp(-mean(A' · M)))`, the second term only for images whose
/// mask has a defect pixel; means over all the image's pixels. FCDD adds `1e-31` inside the
/// logarithm; so does this.
///
/// ```swift
/// let scores = HypersphereClassifierLoss.pseudoHuber(phi)                        // [N, 1, h, w]
/// let loss = try HypersphereClassifierLoss.imageLevel(scores, labels: [0, 0, 1])   // rank 0
/// ```
public enum HypersphereClassifierLoss {
    /// FCDD's guard inside the logarithm.
    static let logGuard: Float = 1e-31

    /// `sqrt(φ² + 1) - 1`, elementwise.
    public static func pseudoHuber(_ output: Tensor) -> Tensor {
        (output.squared() + 1).sqrt() - 1
    }

    /// The image-level loss of `scores` (`A`, `[N, …]`) and 0/1 `labels` (one per image), rank 0.
    /// - Throws: ``DetectorError/invalidInput(_:)`` when the counts differ.
    public static func imageLevel(_ scores: Tensor, labels: [Float]) throws -> Tensor {
        guard scores.rank >= 1, scores.shape[0] == labels.count else {
            throw DetectorError.invalidInput("FCDD's loss got \(labels.count) labels for scores \(scores.shape)")
        }
        let means = try scores.flattened(fromAxis: 1).mean(axes: [1])
        let anomalous = try Tensor(shape: [labels.count], scalars: labels)
        return try ((1 - anomalous) * means + anomalous * pushedAway(means)).mean()
    }

    /// The pixel-level loss of upsampled `scores` (`A'`, `[N, 1, H, W]`) and 0/1 `masks` of the
    /// same shape, rank 0.
    /// - Throws: ``DetectorError/invalidInput(_:)`` when the shapes differ.
    public static func pixelLevel(_ scores: Tensor, masks: Tensor) throws -> Tensor {
        guard scores.shape == masks.shape, scores.rank == 4 else {
            throw DetectorError.invalidInput("FCDD's pixel loss needs scores and masks of one [N, 1, H, W] shape, got \(scores.shape) and \(masks.shape)")
        }
        let normal = try (scores * (1 - masks)).mean(axes: [1, 2, 3])
        let anomalousMean = try (scores * masks).mean(axes: [1, 2, 3])
        let hasDefect = try masks.detached.flattened(fromAxis: 1).max(axes: [1])
        return try (normal + hasDefect * pushedAway(anomalousMean)).mean()
    }

    /// `-log(1 - exp(-a) + 1e-31)`: large when `a` is near 0, near 0 when `a` is large.
    static func pushedAway(_ a: Tensor) -> Tensor {
        -((1 - (-a).exp()) + logGuard).log()
    }
}
