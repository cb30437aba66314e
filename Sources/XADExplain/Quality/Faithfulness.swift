import XADDetect
import XADTensor

/// Whether an explanation's ranking of pixels matches what the detector actually reacts to:
/// deletion and insertion curves (Petsiuk et al. 2018) and faithfulness correlation (Bhatt et
/// al. 2020). Perturbed images are made and scored at the model's resolution in batches (see
/// ``PerturbedScoring``), with the explanation map resized there.
///
/// ```swift
/// let faithfulness = Faithfulness()
/// let curves = try faithfulness.deletionInsertion(model, image: image, map: explanation.map, target: .imageScore)
/// curves.deletionArea   // low is good: the target falls fast as the top pixels go
/// ```
public struct Faithfulness: Sendable {
    /// The number of equal steps from no pixel to all pixels changed. Default 20.
    public var steps: Int
    /// What removed pixels show. Default ``PerturbationBaseline/standard`` (a blur).
    public var baseline: PerturbationBaseline
    /// Faithfulness correlation: the number of random subsets. Default 100 (Quantus' default).
    public var correlationRuns: Int
    /// Faithfulness correlation: the pixels in each subset, at the model's resolution. Default
    /// 4096 (1/16 of a 256 x 256 input; Quantus' 224 single pixels barely move an anomaly score).
    public var subsetSize: Int
    /// The random seed of faithfulness correlation. Default 0.
    public var seed: UInt64
    /// How many images are scored at once. Default 16.
    public var batchSize: Int

    public init(steps: Int = 20, baseline: PerturbationBaseline = .standard, correlationRuns: Int = 100,
                subsetSize: Int = 4096, seed: UInt64 = 0, batchSize: Int = 16) {
        self.steps = steps
        self.baseline = baseline
        self.correlationRuns = correlationRuns
        self.subsetSize = subsetSize
        self.seed = seed
        self.batchSize = batchSize
    }

    /// Deletion and insertion curves with their areas.
    public struct Curves: Sendable, Equatable, Codable {
        /// The target after removing the first `t/steps` of the pixels (most relevant first),
        /// `t = 0…steps`.
        public var deletion: [Float]
        /// The target after inserting the first `t/steps` of the pixels into the baseline.
        public var insertion: [Float]
        /// The trapezoid area under ``deletion`` over the removed fraction 0…1 (lower is better).
        public var deletionArea: Double { Faithfulness.area(deletion) }
        /// The trapezoid area under ``insertion`` (higher is better).
        public var insertionArea: Double { Faithfulness.area(insertion) }
    }

    /// Removes (deletion) or inserts (insertion) pixels in decreasing order of `map` (`[H, W]` at
    /// the image's size; ties in row-major order), `⌊t · pixels / steps⌉` at step `t`, and
    /// scores the target at every step.
    public func deletionInsertion(_ detector: any AnomalyDetector, image: Tensor, map: Tensor,
                                  target: ExplanationTarget) throws -> Curves {
        guard steps >= 1 else { throw QualityError("deletion/insertion needs at least 1 step, got \(steps)") }
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: batchSize)
        let relevance = try modelResolution(map, scoring)
        let order = relevance.indices.sorted { relevance[$0] > relevance[$1] || (relevance[$0] == relevance[$1] && $0 < $1) }
        let baselinePixels = try baseline.image(for: scoring.modelImage).scalars
        func keep(step: Int, deleting: Bool) -> [Float] {
            let changed = Int((Double(step * order.count) / Double(steps)).rounded())
            var keep = [Float](repeating: deleting ? 1 : 0, count: order.count)
            for i in order.prefix(changed) { keep[i] = deleting ? 0 : 1 }
            return keep
        }
        let values = try scoring.targetValues(count: 2 * (steps + 1)) { index in
            scoring.blended(baseline: baselinePixels, keep: keep(step: index % (steps + 1), deleting: index <= steps))
        }
        return Curves(deletion: Array(values[0...steps]), insertion: Array(values[(steps + 1)...]))
    }

    /// Faithfulness correlation (Bhatt et al. 2020; Quantus `FaithfulnessCorrelation`): over
    /// `correlationRuns` random pixel subsets `S`, the Pearson correlation between the relevance
    /// `Σ_{i∈S} aᵢ` and the target's drop `f(x) - f(x with S set to the baseline)`. Seeded.
    public func correlation(_ detector: any AnomalyDetector, image: Tensor, map: Tensor,
                            target: ExplanationTarget) throws -> Double {
        guard correlationRuns >= 2 else { throw QualityError("faithfulness correlation needs at least 2 runs, got \(correlationRuns)") }
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: batchSize)
        let relevance = try modelResolution(map, scoring)
        guard subsetSize >= 1, subsetSize <= relevance.count else {
            throw QualityError("the subset size \(subsetSize) must be in 1...\(relevance.count) (the model's pixels)")
        }
        var generator = SeededGenerator(seed: seed)
        var subsets: [[Int]] = []
        for _ in 0..<correlationRuns {
            var order = Array(relevance.indices)
            for i in 0..<subsetSize { order.swapAt(i, Int.random(in: i..<order.count, using: &generator)) }
            subsets.append(Array(order.prefix(subsetSize)))
        }
        let baselinePixels = try baseline.image(for: scoring.modelImage).scalars
        let original = try scoring.originalValue()
        let values = try scoring.targetValues(count: subsets.count) { index in
            var keep = [Float](repeating: 1, count: relevance.count)
            for i in subsets[index] { keep[i] = 0 }
            return scoring.blended(baseline: baselinePixels, keep: keep)
        }
        let drops = values.map { Double(original - $0) }
        let sums = subsets.map { $0.reduce(0.0) { $0 + Double(relevance[$1]) } }
        return try Correlation.pearson(sums, drops)
    }

    /// The map as `[h · w]` values at the model's resolution (bilinear when the sizes differ).
    private func modelResolution(_ map: Tensor, _ scoring: PerturbedScoring) throws -> [Float] {
        guard map.shape == [scoring.imageSize.height, scoring.imageSize.width], map.scalars.allSatisfy(\.isFinite) else {
            throw QualityError("the explanation map \(map.shape) must be finite and the image's size \(scoring.imageSize)")
        }
        let size = scoring.modelSize
        guard size != scoring.imageSize else { return map.scalars }
        return try map.reshaped([1, 1, map.shape[0], map.shape[1]]).resized(to: size).scalars
    }

    /// The trapezoid area of a curve sampled at `0, 1/n, …, 1`.
    static func area(_ curve: [Float]) -> Double {
        guard curve.count >= 2 else { return 0 }
        let n = Double(curve.count - 1)
        return zip(curve, curve.dropFirst()).reduce(0.0) { $0 + Double($1.0 + $1.1) / 2 / n }
    }
}
