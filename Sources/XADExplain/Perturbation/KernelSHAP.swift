import XADDetect
import XADTensor

/// KernelSHAP over superpixels (Lundberg & Lee 2017): Shapley values of the target for the
/// image's SLIC superpixels, estimated by a weighted linear regression on random coalitions.
///
/// A coalition `z ∈ {0, 1}^M` keeps the superpixels with `zⱼ = 1` and shows the baseline
/// elsewhere. Coalition sizes `s ∈ 1..<M` are drawn with probability ∝ `(M - 1) / (s (M - s))`
/// (the SHAP kernel summed over all coalitions of that size) and each is paired with its
/// complement, so every sample has equal weight in the regression `f(z) ≈ φ₀ + Σ φⱼ zⱼ`.
/// As in the `shap` package, the constraints `φ₀ = f(∅)` and `Σ φⱼ = f(x) - f(∅)` are exact:
/// the last `φ` is eliminated and the rest solved by least squares in Float64. Every pixel of
/// a superpixel gets that superpixel's φ. Seeded: the same seed gives the same map.
///
/// ```swift
/// let explanation = try KernelSHAP(samples: 256).explain(model, image: image, target: .imageScore)
/// explanation.values["baseValue"]   // f(all superpixels removed)
/// ```
public struct KernelSHAP: Explainer {
    /// KernelSHAP's options.
    public struct Options: PerturbationBaselineOptions {
        /// The number of SLIC superpixels asked for. Default 50.
        public var segments = 50
        /// SLIC's compactness `m`. Default 10.
        public var compactness: Float = 10
        /// SLIC's k-means iterations. Default 10.
        public var slicIterations = 10
        /// How many coalitions are scored (rounded up to an even number). Default 256.
        public var samples = 256
        /// What removed superpixels show. Default blurred, sigma 8 (``PerturbationBaseline/standard``).
        public var baseline = PerturbationBaseline.Kind.blurred
        /// The blur sigma of the blurred baseline, in model-resolution pixels. Default 8.
        public var baselineSigma: Float = 8
        /// The value of the constant baseline. Default 0.
        public var baselineValue: Float = 0
        /// The random seed. Default 0.
        public var seed: UInt64 = 0
        /// How many images are scored at once. Default 16.
        public var batchSize = 16

        public init() {}

        public static let help = [OptionHelp("segments", "SLIC superpixels asked for"),
                                  OptionHelp("compactness", "SLIC compactness: weight of position against colour"),
                                  OptionHelp("slicIterations", "SLIC k-means iterations"),
                                  OptionHelp("samples", "coalitions scored (rounded up to an even number)")]
            + baselineHelp + [OptionHelp("seed", "random seed of the coalitions"), OptionHelp("batchSize", "images scored at once")]

        /// The superpixels the Shapley values are computed for.
        public var superpixels: SLIC {
            get { SLIC(segments: segments, compactness: compactness, iterations: slicIterations) }
            set { (segments, compactness, slicIterations) = (newValue.segments, newValue.compactness, newValue.iterations) }
        }

        public func validate(method: String) throws {
            guard samples >= 2, batchSize >= 1 else {
                throw OptionError.invalidValue(method: method, message: "samples must be at least 2 and batchSize at least 1, got \(samples) and \(batchSize)")
            }
            guard segments >= 1, compactness > 0, compactness.isFinite, slicIterations >= 1 else {
                throw OptionError.invalidValue(method: method, message: "segments and slicIterations must be at least 1 and compactness positive; got \(segments), \(slicIterations) and \(compactness)")
            }
            try validateBaseline(method: method)
        }
    }

    public static let name = "kernelshap"
    public static let summary = "Estimates Shapley values of the image's SLIC superpixels by a weighted regression on random coalitions."

    public var options: Options

    public init(options: Options) { self.options = options }

    /// KernelSHAP with these settings (see ``Options``).
    public init(superpixels: SLIC = SLIC(), samples: Int = 256, baseline: PerturbationBaseline = .standard,
                seed: UInt64 = 0, batchSize: Int = 16) {
        options = Options()
        options.superpixels = superpixels
        options.samples = samples
        options.perturbationBaseline = baseline
        options.seed = seed
        options.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let (superpixels, samples, baseline, seed) = (options.superpixels, options.samples, options.perturbationBaseline, options.seed)
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: options.batchSize)
        let segmentation = try superpixels.segment(scoring.modelImage)
        let baselinePixels = try baseline.image(for: scoring.modelImage).scalars
        let features = segmentation.count
        let coalitions = KernelSHAP.coalitions(features: features, samples: samples, seed: seed)
        let all = [[Bool](repeating: false, count: features), [Bool](repeating: true, count: features)] + coalitions
        let values = try scoring.targetValues(count: all.count) { index in
            scoring.blended(baseline: baselinePixels, keep: segmentation.labels.map { all[index][$0] ? 1 : 0 })
        }
        let phi = try KernelSHAP.shapleyValues(coalitions: coalitions, values: Array(values.dropFirst(2)),
                                               empty: Double(values[0]), full: Double(values[1]))
        let map = try Tensor(shape: [scoring.modelSize.height, scoring.modelSize.width],
                             scalars: segmentation.labels.map { Float(phi[$0]) })
        let labels = try Tensor(shape: [1, 1, scoring.modelSize.height, scoring.modelSize.width],
                                scalars: segmentation.labels.map(Float.init))
        return Explanation(method: Self.name, map: try scoring.mapAtImageSize(map), target: target, targetValue: values[1],
                           images: ["superpixels": labels],
                           values: ["baseValue": Double(values[0]), "superpixels": Double(features), "scoredImages": Double(all.count)],
                           options: ["segments": "\(superpixels.segments)", "compactness": "\(superpixels.compactness)",
                                     "samples": "\(coalitions.count)", "baseline": baseline.summary, "seed": "\(seed)"])
    }

    /// `samples` coalitions of `features` players (in complementary pairs), sizes drawn from the
    /// SHAP kernel's size distribution; none when there are fewer than two features.
    static func coalitions(features: Int, samples: Int, seed: UInt64) -> [[Bool]] {
        guard features >= 2 else { return [] }
        var generator = SeededGenerator(seed: seed)
        let sizeWeights = (1..<features).map { Double(features - 1) / Double($0 * (features - $0)) }
        let totalWeight = sizeWeights.reduce(0, +)
        var coalitions: [[Bool]] = []
        for _ in 0..<((samples + 1) / 2) {
            var draw = Double(generator.nextUnitFloat()) * totalWeight, size = 1
            while size < features - 1 && draw >= sizeWeights[size - 1] { draw -= sizeWeights[size - 1]; size += 1 }
            var order = Array(0..<features)
            for i in 0..<size { order.swapAt(i, Int.random(in: i..<features, using: &generator)) }
            var coalition = [Bool](repeating: false, count: features)
            for i in order.prefix(size) { coalition[i] = true }
            coalitions.append(coalition)
            coalitions.append(coalition.map { !$0 })
        }
        return coalitions
    }

    /// The φ solving the constrained least squares: `Σ φ = full - empty` exactly, the last φ
    /// eliminated, the others from the normal equations (a tiny ridge keeps a feature that never
    /// varies at zero instead of making the system singular).
    static func shapleyValues(coalitions: [[Bool]], values: [Float], empty: Double, full: Double) throws -> [Double] {
        guard let features = coalitions.first?.count else { return [full - empty] }
        let free = features - 1, total = full - empty
        var normal = [Double](repeating: 0, count: free * free), right = [Double](repeating: 0, count: free)
        for (z, value) in zip(coalitions, values) {
            let last = z[free] ? 1.0 : 0.0
            let x = (0..<free).map { (z[$0] ? 1.0 : 0.0) - last }
            let y = Double(value) - empty - last * total
            for i in 0..<free where x[i] != 0 {
                right[i] += x[i] * y
                for j in 0..<free { normal[i * free + j] += x[i] * x[j] }
            }
        }
        let trace = (0..<free).reduce(0.0) { $0 + normal[$1 * free + $1] }
        for i in 0..<free { normal[i * free + i] += 1e-9 * max(trace / Double(free), 1) }
        var phi: [Double]
        do {
            phi = try Cholesky(normal, size: free).solve(right)
        } catch is LinearAlgebraError {
            throw ExplainerError.invalidOption("the KernelSHAP regression is singular; use more samples")
        }
        phi.append(total - phi.reduce(0, +))
        return phi
    }
}
