import XADDetect
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

    /// The baseline's kind, as options name it (`"blurred"`, `"constant"`).
    public enum Kind: String, Sendable, Hashable, Codable {
        case blurred
        case constant
    }

    /// The baseline image for `image` (`[1, C, H, W]`).
    /// - Throws: ``ExplainerError/invalidOption(_:)`` for a non-finite value or a sigma that is
    ///   not positive.
    public func image(for image: Tensor) throws -> Tensor {
        if let problem { throw ExplainerError.invalidOption(problem) }
        switch self {
        case .constant(let value): return Tensor(shape: image.shape, repeating: value)
        case .blurred(let sigma): return try image.gaussianBlur(sigma: sigma)
        }
    }

    /// What is wrong with the baseline's number, if anything.
    var problem: String? {
        switch self {
        case .constant(let value): value.isFinite ? nil : "the baseline value \(value) must be finite"
        case .blurred(let sigma): sigma > 0 && sigma.isFinite ? nil : "the baseline blur sigma \(sigma) must be positive and finite"
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

/// The options of a perturbation explainer that say what removed pixels show, as three flat keys
/// (`--set baseline=constant --set baselineValue=0`): its kind, the blur sigma and the constant.
public protocol PerturbationBaselineOptions: MethodOptions {
    /// What removed pixels show. Default ``PerturbationBaseline/Kind/blurred``.
    var baseline: PerturbationBaseline.Kind { get set }
    /// The blur sigma of the blurred baseline, in model-resolution pixels. Default 8.
    var baselineSigma: Float { get set }
    /// The value (0...1, all channels) of the constant baseline. Default 0.
    var baselineValue: Float { get set }
}

extension PerturbationBaselineOptions {
    /// The baseline these options describe; setting it sets the kind and its number.
    public var perturbationBaseline: PerturbationBaseline {
        get { baseline == .blurred ? .blurred(sigma: baselineSigma) : .constant(baselineValue) }
        set {
            switch newValue {
            case .blurred(let sigma): (baseline, baselineSigma) = (.blurred, sigma)
            case .constant(let value): (baseline, baselineValue) = (.constant, value)
            }
        }
    }

    /// Help for the three baseline keys.
    static var baselineHelp: [OptionHelp] {
        [OptionHelp("baseline", "what removed pixels show: blurred (the image blurred by baselineSigma) or constant (baselineValue)"),
         OptionHelp("baselineSigma", "blur sigma of the blurred baseline, in model-resolution pixels"),
         OptionHelp("baselineValue", "value in 0...1 of the constant baseline")]
    }

    /// Throws `OptionError.invalidValue(method:message:)` for a baseline that cannot be made.
    func validateBaseline(method: String) throws {
        if let problem = perturbationBaseline.problem { throw OptionError.invalidValue(method: method, message: problem) }
    }
}
