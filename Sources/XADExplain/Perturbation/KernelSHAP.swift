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
    public static let name = "kernelshap"

    /// The superpixels the Shapley values are computed for. Default `SLIC(segments: 50)`.
    public var superpixels: SLIC
    /// How many coalitions are scored (rounded up to an even number). Default 256.
    public var samples: Int
    /// What removed superpixels show. Default ``PerturbationBaseline/standard``.
    public var baseline: PerturbationBaseline
    /// The random seed. Default 0.
    public var seed: UInt64
    /// How many images are scored at once. Default 16.
    public var batchSize: Int

    public init(superpixels: SLIC = SLIC(), samples: Int = 256, baseline: PerturbationBaseline = .standard,
                seed: UInt64 = 0, batchSize: Int = 16) {
        self.superpixels = superpixels
        self.samples = samples
        self.baseline = baseline
        self.seed = seed
        self.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        guard samples >= 2 else { throw ExplainerError.invalidOption("KernelSHAP needs at least 2 samples, got \(samples)") }
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: batchSize)
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
