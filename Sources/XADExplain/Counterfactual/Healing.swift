import XADDetect
import XADTensor

/// "Healing" for memory-bank detectors (PatchCore, kNN): every anomalous patch of the image is
/// replaced by the pixels of the normal training patch its nearest neighbour came from, giving
/// a counterfactual "what a normal part would look like here" beside the input.
///
/// The result's provenance names, for each test patch, the training image and grid cell of its
/// nearest normal patch; that image is resampled to the explained image's size, so cells line up
/// pixel for pixel. Each healed cell is pasted with a feathered window: weight 1 on the cell,
/// falling as a raised cosine to 0 over `feather` cells beyond it; where windows overlap, their
/// sources are averaged by weight, and the input shows through by `1 - min(1, Σ weights)`. So
/// seams between pasted patches, and between pasted and kept pixels, are soft.
///
/// The map is `Σ_c |x - x̃|` (input minus healed, summed over channels): what had to change.
/// Extras: `images["counterfactual"]` (the healed image `[1, C, H, W]` in 0...1),
/// `images["difference"]` (`|x - x̃|` per channel, `[1, C, H, W]`), values `score` and
/// `healed_score` (the detector's image scores of input and healed image), `target` and
/// `healed_target` (the explained target on each), `healed_patches`.
///
/// ```swift
/// let healing = Healing().using(ExplanationContext(normalImages: saved.trainingImages))
/// let explanation = try healing.explain(saved.detector, image: image, target: .imageScore)
/// explanation.images["counterfactual"]   // the healed image
/// ```
public struct Healing: ContextualExplainer {
    /// Which patches are anomalous, judged on the result's patch scores (before upsampling).
    public enum Selection: Sendable, Hashable {
        /// Patches scoring above this quantile (in 0..<1, linear interpolation as NumPy's) of the
        /// image's own patch scores: always heals the worst `1 - q` of the patches.
        case quantile(Double)
        /// Patches scoring above this patch distance (e.g. from normal images' patch scores).
        case threshold(Float)
    }

    public static let name = "healing"
    /// Default `.quantile(0.9)`: the worst 10% of patches (about 100 of PatchCore's 32 x 32 grid
    /// at 256 x 256), enough to cover a typical defect without repainting the whole image.
    public var selection: Selection
    /// How far, in patch cells, a pasted patch fades out beyond its cell. 0 pastes hard-edged
    /// cells and leaves every other pixel as it was. Default 0.5.
    public var feather: Float
    /// Where the training images come from.
    public var context: ExplanationContext

    public init(selection: Selection = .quantile(0.9), feather: Float = 0.5, context: ExplanationContext = ExplanationContext()) {
        self.selection = selection
        self.feather = feather
        self.context = context
    }

    public func using(_ context: ExplanationContext) -> Healing {
        var copy = self
        copy.context = context
        return copy
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        guard image.rank == 4, image.shape[0] == 1 else {
            throw ExplainerError.invalidOption("healing explains one image [1, C, H, W], got \(image.shape)")
        }
        guard feather >= 0, feather.isFinite else { throw ExplainerError.invalidOption("healing's feather must be a finite width >= 0, got \(feather)") }
        _ = try context.requiredNormalImages(method: Self.name)
        let result = try detector.score(image: image)
        let provenance = result.provenance
        guard provenance.nearestNormal.count == provenance.grid.height * provenance.grid.width,
              provenance.patchScores.count == provenance.nearestNormal.count else {
            throw ExplainerError.invalidOption("healing needs each patch's nearest normal training patch, which memory-bank detectors (patchcore, knn) record; the \(type(of: detector).name) detector does not")
        }
        let cells = try PatchCells(grid: provenance.grid, imageSize: image.imageSize, setup: detector.setup, method: Self.name)
        let healedCells = try anomalousCells(provenance.patchScores.scalars, cells: cells, target: target)
        let healed = try heal(image, cells: healedCells, from: provenance.nearestNormal, on: cells)
        let healedResult = try detector.score(image: healed)

        let difference = try (image - healed).abs()
        let size = image.imageSize
        let targetValue = try target.values(of: result.map.reshaped([1, size.height, size.width]))[0]
        let healedTarget = try target.values(of: healedResult.map.reshaped([1, size.height, size.width]))[0]
        let options: [String: String] = switch selection {
        case .quantile(let q): ["selection": "quantile \(q)", "feather": "\(feather)"]
        case .threshold(let t): ["selection": "threshold \(t)", "feather": "\(feather)"]
        }
        return Explanation(
            method: Self.name, map: try difference.sum(axes: [0, 1]), target: target, targetValue: targetValue,
            images: ["counterfactual": healed, "difference": difference],
            values: ["score": Double(result.score), "healed_score": Double(healedResult.score), "target": Double(targetValue),
                     "healed_target": Double(healedTarget), "healed_patches": Double(healedCells.count)],
            options: options)
    }

    /// The row-major cells whose patch score passes ``selection``, among those the target covers.
    func anomalousCells(_ scores: [Float], cells: PatchCells, target: ExplanationTarget) throws -> [Int] {
        let threshold: Float
        switch selection {
        case .quantile(let q):
            guard (0..<1).contains(q) else { throw ExplainerError.invalidOption("healing's quantile must be in 0..<1, got \(q)") }
            let sorted = scores.sorted()
            let position = q * Double(sorted.count - 1)
            let below = Int(position.rounded(.down)), above = Swift.min(below + 1, sorted.count - 1)
            threshold = sorted[below] + Float(position - Double(below)) * (sorted[above] - sorted[below])
        case .threshold(let value):
            guard value.isFinite else { throw ExplainerError.invalidOption("healing's threshold must be finite, got \(value)") }
            threshold = value
        }
        let width = cells.grid.width
        return scores.indices.filter {
            scores[$0] > threshold && cells.isInside(row: $0 / width, column: $0 % width, of: target)
        }
    }

    /// `image` with each of `healedCells` replaced by its nearest normal patch, feathered.
    func heal(_ image: Tensor, cells healedCells: [Int], from nearest: [PatchLocation], on cells: PatchCells) throws -> Tensor {
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let plane = height * width
        var sources: [Int: Tensor] = [:]
        for cell in healedCells where sources[nearest[cell].image] == nil {
            let index = nearest[cell].image
            sources[index] = try context.normalImage(index, resizedTo: image.imageSize, channels: channels, method: Self.name)
        }
        var weights = [Float](repeating: 0, count: plane)
        var pasted = [Float](repeating: 0, count: channels * plane)
        let reachY = Int((feather * Float(height) / Float(cells.grid.height)).rounded(.up))
        let reachX = Int((feather * Float(width) / Float(cells.grid.width)).rounded(.up))
        for cell in healedCells {
            let source = nearest[cell]
            guard let normal = sources[source.image] else { continue }
            let (rows, columns) = (cells.rows(cell / cells.grid.width), cells.columns(cell % cells.grid.width))
            // Offsets from the test cell to the training cell, in pixels.
            let dy = cells.rows(source.row).lowerBound - rows.lowerBound
            let dx = cells.columns(source.column).lowerBound - columns.lowerBound
            normal.withUnsafeBufferPointer { normalPixels in
                for y in Swift.max(0, rows.lowerBound - reachY)..<Swift.min(height, rows.upperBound + reachY) {
                    let wy = Self.fade(outside: rows, at: y, reach: reachY)
                    let sy = Swift.min(Swift.max(y + dy, 0), height - 1)
                    for x in Swift.max(0, columns.lowerBound - reachX)..<Swift.min(width, columns.upperBound + reachX) {
                        let weight = wy * Self.fade(outside: columns, at: x, reach: reachX)
                        guard weight > 0 else { continue }
                        let sx = Swift.min(Swift.max(x + dx, 0), width - 1)
                        weights[y * width + x] += weight
                        for c in 0..<channels { pasted[c * plane + y * width + x] += weight * normalPixels[c * plane + sy * width + sx] }
                    }
                }
            }
        }
        return Tensor(shape: image.shape) { out in
            image.withUnsafeBufferPointer { input in
                for c in 0..<channels {
                    for p in 0..<plane {
                        let total = weights[p], i = c * plane + p
                        guard total > 0 else { out[i] = input[i]; continue }
                        let alpha = Swift.min(total, 1)
                        out[i] = alpha * pasted[i] / total + (1 - alpha) * input[i]
                    }
                }
            }
        }
    }

    /// 1 inside `range`, then a raised cosine falling to 0 at `reach` pixels beyond it.
    static func fade(outside range: Range<Int>, at position: Int, reach: Int) -> Float {
        let distance = position < range.lowerBound ? range.lowerBound - position : position - (range.upperBound - 1)
        guard distance > 0 else { return 1 }
        guard distance < reach else { return 0 }
        return 0.5 * (1 + _cos(Float.pi * Float(distance) / Float(reach)))
    }
}
