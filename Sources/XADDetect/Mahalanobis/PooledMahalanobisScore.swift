import XADModels
import XADTensor

/// The class-free Mahalanobis score of Lee et al. (NeurIPS 2018) on globally average-pooled
/// backbone features, and its input pre-processing (ODIN, Liang et al., ICLR 2018).
///
/// `s(x) = Σ_taps (f_l(x) - m_l)ᵀ Σ_l⁻¹ (f_l(x) - m_l) / D_l`: each tap's squared distance
/// divided by its channel count `D_l` (its expected value under the Gaussian), so that a tap of
/// 320 channels does not outweigh one of 24; `f_l` is the tap's map averaged over positions.
/// Pre-processing: `x' = x - ε · sign(∇ₓ s(x))`, which moves `x` towards the normal features
/// and lowers the scores of normal images more than those of anomalous ones.
///
/// ```swift
/// let scorer = PooledMahalanobisScore(backbone: lite0, layers: ["stage1", "stage2"], gaussians: fitted)
/// let scores = try scorer.scores(batch)                          // [N]
/// let (direction, weights) = try scorer.perturbation(batch)      // sign(∇ₓ s), Σ_c |∇ₓ s| / max
/// ```
struct PooledMahalanobisScore: Sendable {
    let backbone: any Backbone
    let layers: [String]
    /// One per layer, in the same order.
    let gaussians: [ShrunkGaussian]

    /// The pooled features `[N, C]` of each layer of a prepared batch, recorded on a tape when
    /// `batch` is; also the backbone's maps by tap name.
    func pooledFeatures(_ batch: Tensor) throws -> (pooled: [Tensor], maps: [String: Tensor]) {
        let maps = try backbone.features(batch, upTo: layers.last)
        let pooled = try FastFlow.scaleMaps(maps, layers: layers).map { map in
            try map.globalAvgPool2d().reshaped([map.shape[0], map.shape[1]])
        }
        return (pooled, maps)
    }

    /// `s(x)` of each image of a prepared batch, `[N]`, and the backbone's maps.
    func scores(_ batch: Tensor) throws -> (scores: Tensor, maps: [String: Tensor]) {
        let (pooled, maps) = try pooledFeatures(batch)
        var total: Tensor?
        for (features, gaussian) in zip(pooled, gaussians) {
            let term = try gaussian.squaredDistances(features) / Float(features.shape[1])
            total = try total.map { try $0 + term } ?? term
        }
        guard let total else { throw DetectorError.invalidOption("the Mahalanobis score needs at least one layer") }
        return (total, maps)
    }

    /// For each image, `sign(∇ₓ s(x))` (`[N, 3, H, W]`, the pre-processing's direction) and the
    /// gradient's magnitude summed over channels and divided by its maximum (`[N, H, W]`, in
    /// 0...1; all ones where the gradient vanishes): the explanation map's spatial weights.
    func perturbation(_ batch: Tensor) throws -> (direction: Tensor, weights: Tensor) {
        let tape = GradientTape()
        let input = tape.watch(batch.detached)
        let gradient = try tape.gradient(of: try scores(input).scores.sum(), withRespectTo: input)
        let direction = gradient.scalars.map { $0 > 0 ? Float(1) : $0 < 0 ? -1 : 0 }
        let magnitude = try gradient.abs().sum(axes: [1])
        let (count, plane) = (batch.shape[0], batch.shape[2] * batch.shape[3])
        var weights = magnitude.scalars
        for n in 0..<count {
            let image = (n * plane)..<((n + 1) * plane)
            let peak = weights[image].max() ?? 0
            for i in image { weights[i] = peak > 0 ? weights[i] / peak : 1 }
        }
        return (try Tensor(shape: batch.shape, scalars: direction),
                try Tensor(shape: [count, batch.shape[2], batch.shape[3]], scalars: weights))
    }
}
