import XADTensor

/// The model-parameter randomisation sanity check (Adebayo et al. 2018; Quantus `MPRT`): an
/// explanation that depends on what the model learned must change when the model's weights are
/// replaced by random ones.
///
/// Randomising a backbone is the caller's business (the gradient explainers own it); this measure
/// takes the explanation of the original model and those of the randomised models (e.g. layers
/// randomised cumulatively from the top) and returns Spearman's rank correlation of each with
/// the original. Values near 1 mean the method ignores the model; they should fall towards 0.
///
/// ```swift
/// let correlations = try Randomisation.rankCorrelations(original: map, randomised: [mapTop, mapTopTwo])
/// ```
public enum Randomisation {
    /// Spearman's rank correlation between `original` and each of `randomised` (same shape),
    /// over all pixels, with the absolute values of the maps when `absolute` (Quantus' default).
    public static func rankCorrelations(original: Tensor, randomised: [Tensor], absolute: Bool = true) throws -> [Double] {
        let reference = original.scalars.map { Double(absolute ? abs($0) : $0) }
        return try randomised.map { map in
            guard map.shape == original.shape else {
                throw QualityError("a randomised-model explanation \(map.shape) does not match the original \(original.shape)")
            }
            return try Correlation.spearman(reference, map.scalars.map { Double(absolute ? abs($0) : $0) })
        }
    }
}
