import XADDetect
import XADTensor

/// A counterfactual found by gradient descent in input space (after Wachter et al. 2017): the
/// image `x'` near the input `x` whose target is low, by Adam on the pixels minimising
///
///     L(x') = t(x') / t(x) + λ · mean |x' - x|        (``Proximity/absolute``, the default)
///     L(x') = t(x') / t(x) + λ · mean (x' - x)²       (``Proximity/squared``)
///
/// with `x'` clamped to 0...1 after every step; the iterate with the lowest `L` is returned (the
/// max and top-k targets are not smooth, so a step can overshoot). The target is divided by its
/// value on the input so that λ means the same for every detector and score scale: λ = 1 trades
/// halving the target against changing every pixel by 0.5 on average (absolute). The absolute
/// penalty keeps the change sparse (few pixels change a lot), the squared one spreads it thinly.
///
/// Needs a `DifferentiableDetector` (the map of PatchCore is differentiated with each test
/// patch's nearest bank patch fixed at every step's own choice). The map is `Σ_c |x - x'|`.
/// Extras: `images["counterfactual"]` (`x'`, `[1, C, H, W]` in 0...1), `images["difference"]`
/// (`|x - x'|` per channel), values `target` and `counterfactual_target` (the explained target on
/// each), `score` and `counterfactual_score` (image scores), `mean_change` (`mean |x - x'|`).
///
/// ```swift
/// let explanation = try GradientCounterfactual(steps: 20).explain(padim, image: image, target: .imageScore)
/// explanation.values["counterfactual_target"]   // below explanation.targetValue
/// ```
public struct GradientCounterfactual: Explainer {
    /// The proximity penalty on `x' - x`.
    public enum Proximity: String, Sendable, Hashable, Codable {
        /// `mean |x' - x|` (L1): sparse changes.
        case absolute
        /// `mean (x' - x)²` (squared L2): small, spread changes.
        case squared
    }

    /// The gradient counterfactual's options.
    public struct Options: MethodOptions {
        /// Adam steps, each one forward and backward pass (20 took 1.4 s for a 256 x 256 PaDiM
        /// image, 1.3-2.7 s for PatchCore on MTD images, on a shared 2-core machine; README).
        /// Default 20.
        public var steps = 20
        /// Adam's learning rate, in pixel units (images are 0...1): Adam moves every pixel with a
        /// gradient by about this much per step, so it bounds the change (`steps · learningRate`).
        /// Default 0.001: on MTD, 0.02 made no step that lowered the loss, 0.002 lowered the
        /// target less than 0.001 (README).
        public var learningRate: Float = 0.001
        /// λ, the weight of the proximity penalty. Default 1.
        public var lambda: Float = 1
        /// The penalty's form. Default ``Proximity/absolute``.
        public var proximity = Proximity.absolute

        public init() {}

        public static let help = [
            OptionHelp("steps", "Adam steps, each one forward and backward pass"),
            OptionHelp("learningRate", "Adam's learning rate, in pixel units (0...1 images)"),
            OptionHelp("lambda", "weight of the proximity penalty"),
            OptionHelp("proximity", "penalty on the change: absolute (sparse) or squared (spread)"),
        ]

        public func validate(method: String) throws {
            guard steps >= 1 else { throw OptionError.invalidValue(method: method, message: "steps must be at least 1, got \(steps)") }
            guard learningRate > 0, learningRate.isFinite, lambda >= 0, lambda.isFinite else {
                throw OptionError.invalidValue(method: method, message: "learningRate must be positive and lambda at least 0, both finite; got \(learningRate) and \(lambda)")
            }
        }
    }

    public static let name = "counterfactual"
    public static let summary = "Finds a nearby image with a low target by gradient descent on the pixels and shows what changed."
    public static let requirements = ExplainerRequirements.gradients

    public var options: Options

    public init(options: Options) { self.options = options }

    /// The gradient counterfactual with these settings (see ``Options``).
    public init(steps: Int = 20, learningRate: Float = 0.001, lambda: Float = 1, proximity: Proximity = .absolute) {
        options = Options()
        options.steps = steps
        options.learningRate = learningRate
        options.lambda = lambda
        options.proximity = proximity
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        guard image.rank == 4, image.shape[0] == 1 else {
            throw ExplainerError.invalidInput("the counterfactual explains one image [1, C, H, W], got \(image.shape)")
        }
        let (steps, learningRate, lambda, proximity) = (options.steps, options.learningRate, options.lambda, options.proximity)
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let size = image.imageSize
        let original = image.detached.clamped(min: 0, max: 1)
        let before = try detector.score(image: original)
        let targetValue = try target.values(of: before.map.reshaped([1, size.height, size.width]))[0]
        let scale = Swift.max(Swift.abs(targetValue), 1e-12)
        func penalty(_ x: Tensor) throws -> Tensor {
            let change = try x - original
            return try (proximity == .absolute ? change.abs() : change.squared()).mean()
        }
        var current = original
        var optimiser = Adam(learningRate: learningRate)
        var best = (loss: Float.infinity, image: original)
        for _ in 0..<steps {
            let tape = GradientTape()
            let x = tape.watch(current)
            let value = try function.target.values(of: function.detector.differentiableForward(
                batch: detector.setup.preprocessing(x)).map, at: size)
            let loss = try value.sum() / scale + penalty(x) * lambda
            // The max and top-k targets are not smooth: a step can overshoot, so the best
            // iterate seen is kept.
            if loss.scalars[0] < best.loss { best = (loss.scalars[0], current) }
            let gradient = try tape.gradient(of: loss, withRespectTo: x)
            optimiser.step(&current, gradient: gradient, name: "image")
            current = current.clamped(min: 0, max: 1)
        }
        var after = try detector.score(image: current)
        var counterfactualTarget = try target.values(of: after.map.reshaped([1, size.height, size.width]))[0]
        var counterfactual = current.detached
        if try counterfactualTarget / scale + penalty(current).scalars[0] * lambda > best.loss {
            counterfactual = best.image
            after = try detector.score(image: counterfactual)
            counterfactualTarget = try target.values(of: after.map.reshaped([1, size.height, size.width]))[0]
        }
        let difference = try (original - counterfactual).abs()
        let meanChange = difference.scalars.reduce(0, +) / Float(Swift.max(difference.count, 1))
        return Explanation(
            method: Self.name, map: try difference.sum(axes: [0, 1]), target: target, targetValue: targetValue,
            images: ["counterfactual": counterfactual, "difference": difference],
            values: ["target": Double(targetValue), "counterfactual_target": Double(counterfactualTarget),
                     "score": Double(before.score), "counterfactual_score": Double(after.score), "mean_change": Double(meanChange)],
            options: ["steps": "\(steps)", "learningRate": "\(learningRate)", "lambda": "\(lambda)", "proximity": proximity.rawValue])
    }
}
