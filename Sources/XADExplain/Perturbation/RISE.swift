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
    public static let name = "rise"

    /// How many random masks are scored. Default 1000.
    public var maskCount: Int
    /// The side `s` of the coarse grid of each mask. Default 8.
    public var gridSize: Int
    /// The probability `p` that a grid cell is kept. Default 0.5.
    public var keepProbability: Float
    /// What masked pixels show. Default ``PerturbationBaseline/standard``.
    public var baseline: PerturbationBaseline
    /// The random seed. Default 0.
    public var seed: UInt64
    /// How many masked images are scored at once. Default 16.
    public var batchSize: Int

    public init(maskCount: Int = 1000, gridSize: Int = 8, keepProbability: Float = 0.5,
                baseline: PerturbationBaseline = .standard, seed: UInt64 = 0, batchSize: Int = 16) {
        self.maskCount = maskCount
        self.gridSize = gridSize
        self.keepProbability = keepProbability
        self.baseline = baseline
        self.seed = seed
        self.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        guard maskCount >= 1, gridSize >= 1, keepProbability > 0, keepProbability < 1 else {
            throw ExplainerError.invalidOption("RISE needs at least one mask, a grid of at least 1 cell and a keep probability in (0, 1); got \(maskCount), \(gridSize), \(keepProbability)")
        }
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
