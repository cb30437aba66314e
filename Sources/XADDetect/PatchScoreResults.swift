import XADImage
import XADTensor

/// The end every patch detector's `score(batch:)` shares: patch scores on the fitted grid become
/// maps at the batch's size (``smoothedMaps(_:count:grid:size:sigma:)``: bilinear upsampling,
/// then a Gaussian of `sigma` pixels) and one ``AnomalyResult`` per image, carrying its patch
/// scores as provenance. What stays in each detector is what differs: how an image's score is
/// made, and which normal patches were nearest.
///
/// - Parameters:
///   - patchScores: `N · h · w` scores, image by image, row-major over `grid` (any shape).
///   - batch: the scored batch `[N, C, H, W]`, for `N` and the maps' size.
///   - imageScore: the score of image `n` given its smoothed map `[H, W]`.
///   - nearestNormal: the nearest normal patch of each of image `n`'s patches, if the method has them.
func anomalyResults(patchScores: Tensor, batch: Tensor, grid: Size2, sigma: Float, layers: [String],
                    imageScore: (_ image: Int, _ map: Tensor) throws -> Float,
                    nearestNormal: (_ image: Int) -> [PatchLocation] = { _ in [] }) throws -> [AnomalyResult] {
    let count = batch.shape[0], size = Size2(height: batch.shape[2], width: batch.shape[3])
    let patchMaps = try patchScores.reshaped([count, grid.height, grid.width])
    let maps = try smoothedMaps(patchMaps, count: count, grid: grid, size: size, sigma: sigma)
    return try (0..<count).map { n in
        let map = try maps.sliced(axis: 0, range: n..<(n + 1)).reshaped([size.height, size.width])
        let patchScores = try patchMaps.sliced(axis: 0, range: n..<(n + 1)).reshaped([grid.height, grid.width])
        return AnomalyResult(score: try imageScore(n, map), map: map, provenance: Provenance(
            layers: layers, grid: grid, patchScores: patchScores, nearestNormal: nearestNormal(n)))
    }
}
