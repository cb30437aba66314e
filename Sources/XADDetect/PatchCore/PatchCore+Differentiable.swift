import XADImage
import XADTensor

/// PatchCore's map recomputed with recorded operations, each test patch's nearest bank patch
/// fixed at the one the (non-differentiable) search chose: the Euclidean distance to a fixed
/// patch is differentiable, the choice is not.
extension PatchCore: DifferentiableDetector {
    /// The same map as ``score(batch:)``: locally aware features by the extractor, the nearest
    /// bank patch of each test patch found on the untracked values, `‖x - m*‖` recomputed on the
    /// tape (the square's sum floored at 1e-12 so the root's gradient stays finite), then the
    /// bilinear upsampling and Gaussian smoothing. The re-weighting of the image score (Eq. 7) is
    /// not part of the map.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let (maps, features) = try extractor.recordedFeatures(batch, fittedGrid: grid)
        let (count, channels, positions) = (features.shape[0], features.shape[1], grid.height * grid.width)
        // [N, C, P] -> [N, P, C] -> [N·P, C], row-major over the grid like the search's queries.
        let rows = try features.reshaped([count, channels, positions]).permuted([0, 2, 1]).reshaped([count * positions, channels])
        let nearest = try memory.bank.rows(at: memory.search(rows.detached, k: 1).indices)
        let squared = try (rows - nearest).squared().sum(axes: [1])
        let distances = squared.clamped(min: 1e-12, max: nil).sqrt()
        let map = try smoothedMaps(distances, count: count, grid: grid,
                                   size: Size2(height: batch.shape[2], width: batch.shape[3]), sigma: options.sigma)
        return DifferentiableOutput(map: map, activations: maps)
    }
}
