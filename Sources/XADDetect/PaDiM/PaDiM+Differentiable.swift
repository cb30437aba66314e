import XADImage
import XADTensor

/// PaDiM's map recomputed with recorded operations: the Mahalanobis distance is a smooth
/// function of the features, so d map / d input and d map / d tap come straight from the tape.
extension PaDiM: DifferentiableDetector {
    /// The same map as ``score(batch:)``: features by the extractor, the saved channel subset
    /// (a product with a one-hot selection matrix, so the gather is differentiable), per-position
    /// `sqrt((x - μ_p)ᵀ Σ_p⁻¹ (x - μ_p))` by one batched product over positions, then the bilinear
    /// upsampling and Gaussian smoothing. The square root's argument is floored at 1e-12 so its
    /// gradient stays finite where a patch sits exactly on its mean.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let (maps, features) = try extractor.recordedFeatures(batch, fittedGrid: grid)
        let (count, total, positions) = (features.shape[0], features.shape[1], grid.height * grid.width)
        let dims = channelIndices.count
        let selection = Tensor(shape: [total, dims]) { out in
            for i in 0..<out.count { out[i] = 0 }
            for (column, channel) in channelIndices.enumerated() { out[channel * dims + column] = 1 }
        }
        // [N, C, P] -> [P, N, C] -> [P, N, D]: position-major, like the statistics.
        let rows = try features.reshaped([count, total, positions]).permuted([2, 0, 1]).matmul(selection)
        let centred = try rows - statistics.mean.reshaped([positions, 1, dims])
        let quadratic = try (centred.matmul(statistics.inverseCovariance) * centred).sum(axes: [2])   // [P, N]
        let distances = quadratic.clamped(min: 1e-12, max: nil).sqrt()
        let map = try smoothedMaps(distances.transposed(), count: count, grid: grid,
                                   size: Size2(height: batch.shape[2], width: batch.shape[3]), sigma: options.sigma)
        return DifferentiableOutput(map: map, activations: maps)
    }
}
