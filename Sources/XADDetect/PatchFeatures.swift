import XADTensor

/// A detector that compares images patch by patch through a ``FeatureExtractor``: it can turn
/// any prepared image into the patch features it compares, so an explanation can compare a test
/// patch with training patches in the detector's own feature space (nearest normal exemplars).
public protocol PatchFeatureDetector: AnomalyDetector {
    /// The extractor the detector was fitted with (its backbone, layers and resampling).
    var featureExtractor: FeatureExtractor { get }
}

extension PatchFeatureDetector {
    /// The patch features of a prepared batch `[N, 3, H, W]`, patch-major `[N, gridH · gridW, C]`
    /// (row `p` of image `n` is grid cell `p`, row-major), and the grid.
    public func patchFeatures(batch: Tensor) throws -> (rows: Tensor, grid: Size2) {
        let features = try featureExtractor(batch)
        return (try FeatureExtractor.patchMajor(features), Size2(height: features.shape[2], width: features.shape[3]))
    }
}

extension PaDiM: PatchFeatureDetector {
    public var featureExtractor: FeatureExtractor { extractor }
}

extension PatchCore: PatchFeatureDetector {
    public var featureExtractor: FeatureExtractor { extractor }
}

extension SPADE: PatchFeatureDetector {
    public var featureExtractor: FeatureExtractor { extractor }
}
