import XADDetect
import XADTensor

/// SmoothGrad (Smilkov et al. 2017) around any ``InputAttribution``: the average of its maps
/// at `samples` copies of the prepared input with Gaussian noise of standard deviation
/// `noiseLevel · (max - min)` of that input. Seeded, so the same options give the same map.
///
/// The base method is named by its registry name (``Options/base``, with ``Options/baseOptions``
/// on its defaults), or given in code with its own settings:
///
/// ```swift
/// let smooth = SmoothGrad(base: IntegratedGradients(steps: 8, baseline: .blurred(sigma: 3)), samples: 8)
/// let same = try Explainers.named("smoothgrad", options: OptionOverrides(json:
///     #"{"base": "integrated-gradients", "baseOptions": {"steps": 8, "baseline": "blurred"}, "samples": 8}"#))
/// ```
public struct SmoothGrad: ContextualExplainer {
    /// SmoothGrad's options.
    public struct Options: MethodOptions {
        /// The registry name of the input-attribution method averaged. Default `"saliency"`.
        public var base = Saliency.name
        /// Options of the base method, on its defaults. Default none.
        public var baseOptions = OptionOverrides()
        /// Noisy copies averaged. Default 16.
        public var samples = 16
        /// Noise deviation as a fraction of the input's range. Default 0.15 (the paper's 10-20 %).
        public var noiseLevel: Float = 0.15
        /// Seed of the noise. Default 0.
        public var seed: UInt64 = 0

        public init() {}

        public static let help = [
            OptionHelp("base", "input-attribution method averaged: saliency, gradient-x-input or integrated-gradients"),
            OptionHelp("baseOptions", "the base method's options, as a JSON object"),
            OptionHelp("samples", "noisy copies of the input averaged"),
            OptionHelp("noiseLevel", "noise deviation as a fraction of the input's range"),
            OptionHelp("seed", "seed of the noise"),
        ]

        public func validate(method: String) throws {
            guard samples >= 1 else { throw OptionError.invalidValue(method: method, message: "samples must be at least 1, got \(samples)") }
            guard noiseLevel >= 0, noiseLevel.isFinite else {
                throw OptionError.invalidValue(method: method, message: "noiseLevel must be finite and at least 0, got \(noiseLevel)")
            }
            _ = try SmoothGrad.baseMethod(named: base, options: baseOptions)
        }
    }

    public static let name = "smoothgrad"
    public static let summary = "Averages an input-attribution map (saliency by default) over seeded noisy copies of the input."
    public static let requirements = ExplainerRequirements.gradients

    public var options: Options
    /// The base method as configured in code; used while ``Options/base`` names its method.
    private var givenBase: (any InputAttribution)?
    /// The context handed to a base method made from the options.
    private var context = ExplanationContext()

    public init(options: Options) {
        self.options = options
        givenBase = nil
    }

    /// SmoothGrad over `base`, with its settings, context included.
    public init(base: any InputAttribution = Saliency(), samples: Int = 16, noiseLevel: Float = 0.15, seed: UInt64 = 0) {
        options = Options()
        options.base = type(of: base).name
        options.samples = samples
        options.noiseLevel = noiseLevel
        options.seed = seed
        givenBase = base
    }

    /// The input-attribution method averaged: the one given in code, or the one the options name
    /// with the context handed to it.
    /// - Throws: `OptionError` when the options name no input-attribution method or hold
    ///   options it does not take.
    public func base() throws -> any InputAttribution {
        if let givenBase, type(of: givenBase).name == options.base { return givenBase }
        let method = try Self.baseMethod(named: options.base, options: options.baseOptions)
        guard let contextual = method as? any ContextualExplainer,
              let configured = contextual.using(context) as? any InputAttribution else { return method }
        return configured
    }

    /// The input-attribution method registered as `name`, with `overrides` on its defaults.
    static func baseMethod(named name: String, options overrides: OptionOverrides) throws -> any InputAttribution {
        let methods = Explainers.types.compactMap { $0 as? any InputAttribution.Type }
        guard let method = methods.first(where: { $0.name == name }) else {
            throw OptionError.invalidValue(method: Self.name, message: "base '\(name)' is not an input-attribution method; use one of \(methods.map { $0.name }.joined(separator: ", "))")
        }
        return try method.configured(overrides)
    }

    /// Gradients, and whatever the base method needs (e.g. training images for integrated
    /// gradients from the nearest normal image).
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        Self.requirements.unmet(by: detector) ?? (try? base())?.unmetNeeds(of: detector)
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let base = try self.base()
        try base.options.validate(method: type(of: base).name)
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let input = try detector.setup.preprocessing(image)
        let values = input.scalars
        let deviation = options.noiseLevel * ((values.max() ?? 0) - (values.min() ?? 0))
        var generator = SeededGenerator(seed: options.seed)
        var total: Tensor?
        for _ in 0..<options.samples {
            let noisy = try input + Tensor.normal(input.shape, std: deviation, generator: &generator)
            let map = try base.channelSum(try base.attributions(function, input: noisy, image: image).0)
            total = try total.map { try $0 + map } ?? map
        }
        let mean = (total ?? Tensor.zeros([1, 1])) / Float(options.samples)
        var summary = base.optionSummary
        summary["base"] = type(of: base).name
        summary["samples"] = "\(options.samples)"
        summary["noiseLevel"] = "\(options.noiseLevel)"
        summary["seed"] = "\(options.seed)"
        return Explanation(method: Self.name, map: try mean.relevanceMap(resizedTo: image.imageSize), target: target,
                           targetValue: try function.values(input)[0], options: summary)
    }

    /// The same SmoothGrad with `context` handed to its base method, so that SmoothGrad over
    /// integrated gradients from the nearest normal training image works like that method alone.
    public func using(_ context: ExplanationContext) -> SmoothGrad {
        var copy = self
        copy.context = context
        if let contextual = givenBase as? any ContextualExplainer, let configured = contextual.using(context) as? any InputAttribution {
            copy.givenBase = configured
        }
        return copy
    }
}
