import XADTensor

extension Array where Element == Float {
    /// The frame scores of a clip smoothed over time by a Gaussian of `sigma` frames: the
    /// Gaussian blur of XADTensor (`2·⌊4σ + 0.5⌋ + 1` taps, borders mirrored without repeating the
    /// end frame) along the one time axis. `sigma` 0 returns the scores unchanged.
    ///
    /// ```swift
    /// let smoothed = try rawScores.smoothedOverTime(sigma: 3)
    /// ```
    /// - Throws: `TensorError` for a negative or non-finite `sigma`.
    public func smoothedOverTime(sigma: Float) throws -> [Float] {
        guard sigma != 0, !isEmpty else { return self }
        return try Tensor(shape: [1, 1, 1, count], scalars: self).gaussianBlur(sigma: sigma).scalars
    }
}
