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
/// let ig = IntegratedGradients(steps: 64, baseline: .blurred(sigma: 10))
/// let explanation = try ig.explain(padim, image: image, target: .imageScore)
/// ```
public struct IntegratedGradients: InputAttribution {
    /// The reference image the path starts from, made in image space and prepared like the input.
    public enum Baseline: Sendable {
        /// All zeros: a black image.
        case black
        /// The image blurred by a Gaussian of `sigma` pixels: structure removed, colours kept.
        case blurred(sigma: Float)
        /// A given image (`[1, C, H, W]` in 0...1, any size), e.g. the nearest normal training
        /// image: models do not keep their training images, so callers load it, choosing it
        /// with ``IntegratedGradients/nearestNormalImage(of:)``.
        case image(Tensor)
    }

    public static let name = "integrated-gradients"
    /// Points on the path, ends included (at least 2). Default 50.
    public var steps: Int
    /// Where the path starts. Default black.
    public var baseline: Baseline
    /// Interpolated inputs per backbone pass. Default 8.
    public var batchSize: Int

    public init(steps: Int = 50, baseline: Baseline = .black, batchSize: Int = 8) {
        self.steps = steps
        self.baseline = baseline
        self.batchSize = batchSize
    }

    /// The prepared baseline for `image`.
    public func baselineInput(for image: Tensor, preparedBy detector: any AnomalyDetector) throws -> Tensor {
        switch baseline {
        case .black: return try detector.setup.preprocessing(Tensor.zeros(image.shape))
        case .blurred(let sigma): return try detector.setup.preprocessing(image.gaussianBlur(sigma: sigma))
        case .image(let reference): return try detector.setup.preprocessing(reference)
        }
    }

    public func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?) {
        guard steps >= 2 else { throw ExplainerError.invalidOption("integrated gradients needs at least 2 steps, got \(steps)") }
        let start = try baselineInput(for: image, preparedBy: function.detector)
        guard start.shape == input.shape else {
            throw ExplainerError.invalidOption("the baseline prepares to \(start.shape) but the input to \(input.shape)")
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
        }
        return ["steps": "\(steps)", "baseline": start]
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

/// SmoothGrad (Smilkov et al. 2017) around any ``InputAttribution``: the average of its maps
/// at `samples` copies of the prepared input with Gaussian noise of standard deviation
/// `noiseLevel · (max - min)` of that input. Seeded, so the same options give the same map.
public struct SmoothGrad: Explainer {
    public static let name = "smoothgrad"
    /// The method averaged. Default ``Saliency``.
    public var base: any InputAttribution
    /// Noisy copies averaged. Default 16.
    public var samples: Int
    /// Noise deviation as a fraction of the input's range. Default 0.15 (the paper's 10-20 %).
    public var noiseLevel: Float
    /// Seed of the noise. Default 0.
    public var seed: UInt64

    public init(base: any InputAttribution = Saliency(), samples: Int = 16, noiseLevel: Float = 0.15, seed: UInt64 = 0) {
        self.base = base
        self.samples = samples
        self.noiseLevel = noiseLevel
        self.seed = seed
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        guard samples >= 1 else { throw ExplainerError.invalidOption("SmoothGrad needs at least 1 sample, got \(samples)") }
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let input = try detector.setup.preprocessing(image)
        let values = input.scalars
        let deviation = noiseLevel * ((values.max() ?? 0) - (values.min() ?? 0))
        var generator = SeededGenerator(seed: seed)
        var total: Tensor?
        for _ in 0..<samples {
            let noisy = try input + Tensor.normal(input.shape, std: deviation, generator: &generator)
            let map = try base.channelSum(try base.attributions(function, input: noisy, image: image).0)
            total = try total.map { try $0 + map } ?? map
        }
        let mean = (total ?? Tensor.zeros([1, 1])) / Float(samples)
        var options = base.optionSummary
        options["base"] = type(of: base).name
        options["samples"] = "\(samples)"
        options["noiseLevel"] = "\(noiseLevel)"
        options["seed"] = "\(seed)"
        return Explanation(method: Self.name, map: try mean.relevanceMap(resizedTo: image.imageSize), target: target,
                           targetValue: try function.values(input)[0], options: options)
    }
}
