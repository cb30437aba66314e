import XADTensor

/// The Mahalanobis map recomputed with recorded operations. As memory-bank methods fix each
/// patch's nearest neighbour, the pre-processing's direction `sign(∇ₓ s)` and the map's spatial
/// weights are fixed at their values for this batch (the sign's derivative is zero almost
/// everywhere anyway); the score of the perturbed image is recorded, so d map / d input and
/// d map / d tap are exact given them.
extension Mahalanobis: DifferentiableDetector {
    /// `map = s(x - ε · sign(∇ₓ s(x))) · w(x)`, `[N, H, W]`: the score of the pre-processed
    /// image spread over the pixels by the normalised magnitude `w` (0...1, maximum 1) of the
    /// gradient that pre-processed it. Its maximum is the image's score. Activations: the
    /// backbone's maps of the pre-processed image.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let (direction, weights) = try scorer.perturbation(batch)
        let (scores, maps) = try scorer.scores(try batch - direction * epsilon)
        let map = try scores.reshaped([batch.shape[0], 1, 1]) * weights
        return DifferentiableOutput(map: map, activations: maps)
    }
}
