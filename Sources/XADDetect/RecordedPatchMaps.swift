import XADImage
import XADTensor

/// What the differentiable forward passes of the patch detectors share: features on the tape
/// with their grid checked, and patch distances turned into the smoothed full-size map.
extension FeatureExtractor {
    /// The backbone maps by tap and the patch features `[N, C, h, w]` of a prepared batch,
    /// recorded when the batch is watched.
    /// - Throws: ``DetectorError/invalidInput(_:)`` when the features' grid is not `grid`, the
    ///   one the model was fitted on.
    func recordedFeatures(_ batch: Tensor, fittedGrid grid: Size2) throws -> (maps: [String: Tensor], features: Tensor) {
        let maps = try tapMaps(batch)
        let features = try combined(maps)
        let featureGrid = Size2(height: features.shape[2], width: features.shape[3])
        guard featureGrid == grid else {
            throw DetectorError.invalidInput("the input gives a \(featureGrid) patch grid but the model was fitted on \(grid)")
        }
        return (maps, features)
    }
}

/// Patch distances `[N, h·w]` (any shape with that many elements) as maps `[N, H, W]` at the
/// batch's size: bilinear upsampling then a Gaussian of `sigma` pixels, as `score(batch:)` does.
func smoothedMaps(_ distances: Tensor, count: Int, grid: Size2, size: Size2, sigma: Float) throws -> Tensor {
    try distances.reshaped([count, 1, grid.height, grid.width]).resized(to: size, mode: .bilinear)
        .gaussianBlur(sigma: sigma).reshaped([count, size.height, size.width])
}
