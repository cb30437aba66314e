import XADTensor

/// What a perturbation puts where it removes image content.
///
/// Anomaly detectors flag unusual content, so a black or grey patch is itself an anomaly and
/// would *raise* the score it is meant to lower; the default, a strongly blurred copy of the
/// image, removes detail while keeping colours and brightness.
public enum PerturbationBaseline: Sendable, Hashable, Codable {
    /// Every removed pixel becomes this value (in 0...1, all channels).
    case constant(Float)
    /// Removed pixels come from the image blurred with a Gaussian of this sigma (in pixels).
    case blurred(sigma: Float)

    /// The default: `.blurred(sigma: 8)`.
    public static let standard = PerturbationBaseline.blurred(sigma: 8)

    /// The baseline image for `image` (`[1, C, H, W]`).
    /// - Throws: ``ExplainerError/invalidOption(_:)`` for a non-finite value or a sigma that is
    ///   not positive.
    public func image(for image: Tensor) throws -> Tensor {
        switch self {
        case .constant(let value):
            guard value.isFinite else { throw ExplainerError.invalidOption("the baseline value \(value) must be finite") }
            return Tensor(shape: image.shape, repeating: value)
        case .blurred(let sigma):
            guard sigma > 0, sigma.isFinite else {
                throw ExplainerError.invalidOption("the baseline blur sigma \(sigma) must be positive and finite")
            }
            return try image.gaussianBlur(sigma: sigma)
        }
    }

    /// Text for reports, e.g. `"blurred(sigma: 8.0)"`.
    public var summary: String {
        switch self {
        case .constant(let value): "constant(\(value))"
        case .blurred(let sigma): "blurred(sigma: \(sigma))"
        }
    }
}
