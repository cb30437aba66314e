import XADDetect
import XADTensor

/// Integrated gradients (Sundararajan et al. 2017): `(x - x₀) · ∫₀¹ ∂t/∂x(x₀ + α(x - x₀)) dα`
/// on the prepared input, summed over channels (signed).
///
/// The integral is the trapezoid rule over `steps` evenly spaced α in [0, 1] (Captum's
/// `method="riemann_trapezoid"`), so the attributions sum to `t(x) - t(x₀)` up to the rule's
/// error (completeness). Interpolated inputs are evaluated `batchSize` at a time.
///
/// ```swift
/// let ig = IntegratedGradients(steps: 64, baseline: .blurred(sigma: 3))
/// let explanation = try ig.explain(padim, image: image, target: .imageScore)
/// ```
public struct IntegratedGradients: InputAttribution, ContextStoringExplainer {
    /// The reference image the path starts from, made in image space and prepared like the input.
    public enum Baseline: Sendable {
        /// All zeros: a black image.
        case black
        /// The image blurred by a Gaussian of `sigma` pixels: structure removed, colours kept.
        case blurred(sigma: Float)
        /// A given image (`[1, C, H, W]` in 0...1, any size).
        case image(Tensor)
        /// The normal training image holding the nearest normal patch of the image's most
        /// anomalous patch (``IntegratedGradients/nearestNormalImage(of:)``), resampled to the
        /// image's size: needs a memory-bank detector (patchcore, spade) and
        /// ``ExplanationContext/normalImages``.
        case nearestNormal
    }

    /// The baselines options can name (a given image is set in code, ``baselineImage``).
    public enum BaselineKind: String, Sendable, Hashable, Codable {
        case black
        /// Blurred by ``Options/blurSigma``.
        case blurred
        case nearestNormal = "nearest-normal"
    }

    /// Integrated gradients' options.
    public struct Options: MethodOptions {
        /// Points on the path, ends included (at least 2). Default 50.
        public var steps = 50
        /// Where the path starts. Default black.
        public var baseline = BaselineKind.black
        /// The blur sigma of the blurred baseline, in image pixels. Default 3 (the baseline
        /// whose completeness the README reports).
        public var blurSigma: Float = 3
        /// Interpolated inputs per backbone pass. Default 8.
        public var batchSize = 8

        public init() {}

        public static let help = [
            OptionHelp("steps", "points on the path from the baseline to the image, ends included (at least 2)"),
            OptionHelp("baseline", "where the path starts: black, blurred (by blurSigma) or nearest-normal (the training image of the nearest normal patch; memory-bank detectors)"),
            OptionHelp("blurSigma", "blur sigma of the blurred baseline, in image pixels"),
            OptionHelp("batchSize", "interpolated inputs per backbone pass"),
        ]

        public func validate(method: String) throws {
            guard steps >= 2 else { throw OptionError.invalidValue(method: method, message: "steps must be at least 2, got \(steps)") }
            guard batchSize >= 1 else { throw OptionError.invalidValue(method: method, message: "batchSize must be at least 1, got \(batchSize)") }
            guard blurSigma > 0, blurSigma.isFinite else {
                throw OptionError.invalidValue(method: method, message: "blurSigma must be positive and finite, got \(blurSigma)")
            }
        }
    }

    public static let name = "integrated-gradients"
    public static let summary = "Integrates the target's gradient along the straight path from a baseline image to the image (signed, complete)."

    public var options: Options
    /// A given baseline image (`[1, C, H, W]` in 0...1, any size); when set, the path starts there
    /// whatever ``Options/baseline`` says. Default none.
    public var baselineImage: Tensor?
    /// Where the ``Baseline/nearestNormal`` baseline's training images come from.
    public var context: ExplanationContext

    public init(options: Options) {
        self.options = options
        baselineImage = nil
        context = ExplanationContext()
    }

    /// Integrated gradients with these settings (see ``Options``).
    public init(steps: Int = 50, baseline: Baseline = .black, batchSize: Int = 8, context: ExplanationContext = ExplanationContext()) {
        self.init(options: Options())
        options.steps = steps
        options.batchSize = batchSize
        self.baseline = baseline
        self.context = context
    }

    /// Where the path starts: ``baselineImage`` when given, else what the options name.
    public var baseline: Baseline {
        get {
            if let baselineImage { return .image(baselineImage) }
            return switch options.baseline {
            case .black: .black
            case .blurred: .blurred(sigma: options.blurSigma)
            case .nearestNormal: .nearestNormal
            }
        }
        set {
            baselineImage = nil
            switch newValue {
            case .black: options.baseline = .black
            case .blurred(let sigma): (options.baseline, options.blurSigma) = (.blurred, sigma)
            case .image(let image): baselineImage = image
            case .nearestNormal: options.baseline = .nearestNormal
            }
        }
    }

    /// Gradients; with the nearest-normal baseline also a memory-bank detector and the training
    /// images.
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        if let unmet = Self.requirements.unmet(by: detector) { return unmet }
        guard case .nearestNormal = baseline else { return nil }
        if let unmet = ExplainerRequirements.provenance.unmet(by: detector) { return "with the nearest-normal baseline, \(unmet)" }
        return context.missingNormalImages.map { "with the nearest-normal baseline, \($0)" }
    }

    /// The prepared baseline for `image`.
    public func baselineInput(for image: Tensor, preparedBy detector: any AnomalyDetector) throws -> Tensor {
        switch baseline {
        case .black: return try detector.setup.preprocessing(Tensor.zeros(image.shape))
        case .blurred(let sigma): return try detector.setup.preprocessing(image.gaussianBlur(sigma: sigma))
        case .image(let reference): return try detector.setup.preprocessing(reference)
        case .nearestNormal:
            guard let index = Self.nearestNormalImage(of: try detector.score(image: image)) else {
                throw ExplainerError.notApplicable(method: Self.name, reason: "the nearest-normal baseline needs each patch's nearest normal training patch, and the \(type(of: detector).name) detector's results do not name them")
            }
            let normal = try context.normalImage(index, resizedTo: image.imageSize, channels: image.shape[1], method: Self.name)
            return try detector.setup.preprocessing(normal)
        }
    }

    public func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?) {
        let (steps, batchSize) = (options.steps, options.batchSize)
        let start = try baselineInput(for: image, preparedBy: function.detector)
        guard start.shape == input.shape else {
            throw ExplainerError.invalidInput("the baseline image prepares to \(start.shape) but the input to \(input.shape)")
        }
        let path = try input - start
        let interval = 1 / Float(steps - 1)
        var integral = Tensor.zeros(input.shape)
        var endValue: Float?
        var first = 0
        while first < steps {
            let last = Swift.min(first + Swift.max(batchSize, 1), steps)
            let points = try Tensor.concatenate((first..<last).map { try start + path * (Float($0) * interval) }, axis: 0)
            let evaluation = try function.evaluate(points)
            let gradients = evaluation.inputGradient
            if last == steps { endValue = evaluation.values.last }
            for (offset, step) in (first..<last).enumerated() {
                let weight = step == 0 || step == steps - 1 ? interval / 2 : interval
                integral = try integral + gradients.sliced(axis: 0, range: offset..<(offset + 1)) * weight
            }
            first = last
        }
        // The last point is the input itself, so its value is the explained one.
        return (try path * integral, endValue)
    }

    public var sumsAbsoluteValues: Bool { false }

    public var optionSummary: [String: String] {
        let start = switch baseline {
        case .black: "black"
        case .blurred(let sigma): "blurred (sigma \(sigma))"
        case .image: "given image"
        case .nearestNormal: "nearest normal training image"
        }
        return ["steps": "\(options.steps)", "baseline": start]
    }

    /// The training image holding the nearest normal patch of `result`'s most anomalous patch
    /// (memory-bank detectors only; nil when the result has no such provenance): the natural
    /// ``Baseline/image(_:)`` for "what would a normal part look like here?".
    public static func nearestNormalImage(of result: AnomalyResult) -> Int? {
        let scores = result.provenance.patchScores.scalars
        guard scores.count == result.provenance.nearestNormal.count,
              let worst = scores.indices.max(by: { scores[$0] < scores[$1] }) else { return nil }
        return result.provenance.nearestNormal[worst].image
    }
}
