import XADDetect
import XADTensor

/// RISE, randomised input sampling (Petsiuk, Das & Saenko 2018): score the image under many
/// random smooth masks and average the masks weighted by the scores.
///
/// Each mask is an `s x s` grid of independent 0/1 cells (1 with probability `p`), upsampled
/// bilinearly to `(s + 1) · ⌈h / s⌉` pixels a side and cropped at a random shift in
/// `0..<⌈h / s⌉` (likewise for the width), as in the paper's reference code. Masked pixels
/// show the baseline. The map is `Σᵢ f(x ⊙ Mᵢ) · Mᵢ / (N · p)`, the expected target given that a
/// pixel is kept. Seeded: the same seed gives the same map.
///
/// ```swift
/// let explanation = try RISE(maskCount: 1000, seed: 7).explain(model, image: image, target: .topK(100))
/// ```
public struct RISE: Explainer {
    /// RISE's options.
    public struct Options: PerturbationBaselineOptions {
        /// How many random masks are scored. Default 1000.
        public var maskCount = 1000
        /// The side `s` of the coarse grid of each mask. Default 8.
        public var gridSize = 8
        /// The probability `p` that a grid cell is kept. Default 0.5.
        public var keepProbability: Float = 0.5
        /// What masked pixels show. Default blurred, sigma 8 (``PerturbationBaseline/standard``).
        public var baseline = PerturbationBaseline.Kind.blurred
        /// The blur sigma of the blurred baseline, in model-resolution pixels. Default 8.
        public var baselineSigma: Float = 8
        /// The value of the constant baseline. Default 0.
        public var baselineValue: Float = 0
        /// The random seed. Default 0.
        public var seed: UInt64 = 0
        /// How many masked images are scored at once. Default 16.
        public var batchSize = 16

        public init() {}

        public static let help = [OptionHelp("maskCount", "random masks scored"),
                                  OptionHelp("gridSize", "side of each mask's coarse grid, in cells"),
                                  OptionHelp("keepProbability", "probability that a grid cell is kept, in (0, 1)")]
            + baselineHelp + [OptionHelp("seed", "random seed of the masks"), OptionHelp("batchSize", "masked images scored at once")]

        public func validate(method: String) throws {
            guard maskCount >= 1, gridSize >= 1, batchSize >= 1, keepProbability > 0, keepProbability < 1 else {
                throw OptionError.invalidValue(method: method, message: "maskCount, gridSize and batchSize must be at least 1 and keepProbability in (0, 1); got \(maskCount), \(gridSize), \(batchSize) and \(keepProbability)")
            }
            try validateBaseline(method: method)
        }
    }

    public static let name = "rise"
    public static let summary = "Scores the image under many random smooth masks and averages the masks weighted by the target."

    public var options: Options

    public init(options: Options) { self.options = options }

    /// RISE with these settings (see ``Options``).
    public init(maskCount: Int = 1000, gridSize: Int = 8, keepProbability: Float = 0.5,
                baseline: PerturbationBaseline = .standard, seed: UInt64 = 0, batchSize: Int = 16) {
        options = Options()
        options.maskCount = maskCount
        options.gridSize = gridSize
        options.keepProbability = keepProbability
        options.perturbationBaseline = baseline
        options.seed = seed
        options.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let (maskCount, gridSize, keepProbability, batchSize) = (options.maskCount, options.gridSize, options.keepProbability, options.batchSize)
        let (baseline, seed) = (options.perturbationBaseline, options.seed)
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: batchSize)
        let size = scoring.modelSize
        let baselinePixels = try baseline.image(for: scoring.modelImage).scalars
        let plan = MaskPlan(count: maskCount, gridSize: gridSize, keepProbability: keepProbability, modelSize: size, seed: seed)
        var saliency = [Double](repeating: 0, count: size.height * size.width)
        var start = 0
        while start < maskCount {
            let masks = try (start..<min(start + batchSize, maskCount)).map { try plan.mask($0) }
            let values = try scoring.targetValues(of: masks.map { scoring.blended(baseline: baselinePixels, keep: $0) })
            for (mask, value) in zip(masks, values) {
                for i in saliency.indices { saliency[i] += Double(value) * Double(mask[i]) }
            }
            start += masks.count
        }
        let scale = 1 / (Double(maskCount) * Double(keepProbability))
        let map = try Tensor(shape: [size.height, size.width], scalars: saliency.map { Float($0 * scale) })
        return Explanation(method: Self.name, map: try scoring.mapAtImageSize(map), target: target,
                           targetValue: try scoring.originalValue(), values: ["scoredImages": Double(maskCount + 1)],
                           options: ["masks": "\(maskCount)", "grid": "\(gridSize)", "keepProbability": "\(keepProbability)",
                                     "baseline": baseline.summary, "seed": "\(seed)"])
    }
}

/// The random grids and shifts of every RISE mask, drawn once from the seed so that a mask can
/// be rebuilt from its index without holding all masks.
struct MaskPlan {
    let gridSize: Int
    let modelSize: Size2
    let cell: Size2
    let grids: [[Float]]
    let shifts: [(y: Int, x: Int)]

    init(count: Int, gridSize: Int, keepProbability: Float, modelSize: Size2, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        self.gridSize = gridSize
        self.modelSize = modelSize
        cell = Size2(height: (modelSize.height + gridSize - 1) / gridSize, width: (modelSize.width + gridSize - 1) / gridSize)
        var grids: [[Float]] = [], shifts: [(y: Int, x: Int)] = []
        for _ in 0..<count {
            grids.append((0..<(gridSize * gridSize)).map { _ in generator.nextUnitFloat() < keepProbability ? 1 : 0 })
            shifts.append((Int.random(in: 0..<cell.height, using: &generator), Int.random(in: 0..<cell.width, using: &generator)))
        }
        self.grids = grids
        self.shifts = shifts
    }

    /// Mask `index` as `[h, w]` keep values in 0...1.
    func mask(_ index: Int) throws -> [Float] {
        let upsampled = Size2(height: (gridSize + 1) * cell.height, width: (gridSize + 1) * cell.width)
        let smooth = try Tensor(shape: [1, 1, gridSize, gridSize], scalars: grids[index]).resized(to: upsampled).scalars
        let (dy, dx) = shifts[index]
        var mask = [Float](repeating: 0, count: modelSize.height * modelSize.width)
        for y in 0..<modelSize.height {
            for x in 0..<modelSize.width { mask[y * modelSize.width + x] = smooth[(y + dy) * upsampled.width + x + dx] }
        }
        return mask
    }
}
