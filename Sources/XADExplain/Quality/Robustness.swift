import XADTensor

/// How stable an explanation is under input changes the detector should not care about.
public enum Robustness {
    /// Max-sensitivity (Yeh et al. 2019; Quantus `MaxSensitivity`): the largest relative change
    /// `‖e(x) - e(x + δ)‖_F / ‖e(x)‖_F` over `samples` draws of uniform noise `δ ∈ [-radius, radius]`
    /// per pixel (the image is not clipped, as in Quantus). Seeded. Lower is more robust.
    ///
    /// ```swift
    /// let sensitivity = try Robustness.maxSensitivity(image: image, samples: 10) { input in
    ///     try Occlusion().explain(model, image: input, target: .imageScore).map
    /// }
    /// ```
    /// - Parameters:
    ///   - image: the image explained, as `explain` takes it.
    ///   - samples: how many noisy copies are drawn. Default 10.
    ///   - radius: the noise's largest absolute value per pixel. Default 0.02.
    ///   - seed: the noise's seed. Default 0.
    ///   - explain: the explanation map of an image (the same method and target each time).
    /// - Throws: ``QualityError`` when the explanation of `image` is all zeros or the sizes change.
    public static func maxSensitivity(image: Tensor, samples: Int = 10, radius: Float = 0.02, seed: UInt64 = 0,
                                      explain: (Tensor) throws -> Tensor) throws -> Double {
        guard samples >= 1, radius > 0, radius.isFinite else {
            throw QualityError("max-sensitivity needs at least 1 sample and a positive radius, got \(samples) and \(radius)")
        }
        let original = try explain(image).scalars
        let norm = original.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm > 0 else { throw QualityError("max-sensitivity: the explanation of the unperturbed image is all zeros") }
        var generator = SeededGenerator(seed: seed)
        var largest = 0.0
        for _ in 0..<samples {
            let noise = Tensor.uniform(image.shape, in: -radius..<radius, generator: &generator)
            let perturbed = try explain(try image + noise).scalars
            guard perturbed.count == original.count else {
                throw QualityError("max-sensitivity: the explanation changed size from \(original.count) to \(perturbed.count) values")
            }
            let difference = zip(original, perturbed).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            largest = max(largest, difference.squareRoot() / norm)
        }
        return largest
    }
}
