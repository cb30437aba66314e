import XADDetect
import XADTensor

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

extension SmoothGrad: ContextualExplainer {
    /// The same SmoothGrad with `context` handed to its base method, so that SmoothGrad over
    /// integrated gradients from the nearest normal training image works like that method alone.
    public func using(_ context: ExplanationContext) -> SmoothGrad {
        guard let contextual = base as? any ContextualExplainer,
              let configured = contextual.using(context) as? any InputAttribution else { return self }
        var copy = self
        copy.base = configured
        return copy
    }
}
