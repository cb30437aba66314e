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
/// seams between pasted patches, and between pasted and kept pixels, are soft. Each pasted patch
/// is also shifted to the input's brightness around it (``matchBrightness``).
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
public struct Healing: ContextStoringExplainer {
    /// Which patches are anomalous, judged on the result's patch scores (before upsampling).
    public enum Selection: Sendable, Hashable {
        /// Patches scoring above this quantile (in 0..<1, linear interpolation as NumPy's) of the
        /// image's own patch scores: always heals the worst `1 - q` of the patches.
        case quantile(Double)
        /// Patches scoring above this patch distance (e.g. from normal images' patch scores).
        case threshold(Float)
    }

    /// Which training pixels replace the anomalous patches.
    public enum Sourcing: String, Sendable, Hashable, Codable {
        /// Every patch from its own nearest normal patch: the method as described.
        case eachPatch
        /// Every connected region of anomalous patches (8-neighbours) from one place: the
        /// training image and offset of the region's highest-scoring patch's nearest normal
        /// patch, so the region is filled by one contiguous piece of a normal image. Seamless
        /// inside a region, but one normal image's texture may fit the region's surroundings less
        /// well than each patch's own match (on MTD it lowered the score less often; README).
        case eachRegion
    }

    public static let name = "healing"
    /// Default `.quantile(0.9)`: the worst 10% of patches (about 100 of PatchCore's 32 x 32 grid
    /// at 256 x 256), enough to cover a typical defect without repainting the whole image.
    public var selection: Selection
    /// How far, in patch cells, a pasted patch fades out beyond its cell. 0 pastes hard-edged
    /// cells and leaves every other pixel as it was. Default 0.5.
    public var feather: Float
    /// Default ``Sourcing/eachPatch``.
    public var sourcing: Sourcing
    /// Whether each pasted piece is shifted (per channel) so that its mean over the feathered
    /// ring around it equals the input's there: training images differ in brightness, and a
    /// brighter piece's edge would itself look anomalous (on MTD, healing without it raised the
    /// score). Default true.
    public var matchBrightness: Bool
    /// Where the training images come from.
    public var context: ExplanationContext

    public init(selection: Selection = .quantile(0.9), feather: Float = 0.5, sourcing: Sourcing = .eachPatch,
                matchBrightness: Bool = true, context: ExplanationContext = ExplanationContext()) {
        self.selection = selection
        self.feather = feather
        self.sourcing = sourcing
        self.matchBrightness = matchBrightness
        self.context = context
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
        let scores = provenance.patchScores.scalars
        let healedCells = try anomalousCells(scores, cells: cells, target: target)
        let pasting = PatchPasting(cells: cells, feather: feather, matchBrightness: matchBrightness)
        let pieces = self.pieces(healedCells, scores: scores, nearest: provenance.nearestNormal, cells: cells)
        let healed = try pasting.paste(pieces, into: image) { index in
            try context.normalImage(index, resizedTo: image.imageSize, channels: image.shape[1], method: Self.name)
        }
        let healedResult = try detector.score(image: healed)

        let difference = try (image - healed).abs()
        let size = image.imageSize
        let targetValue = try target.values(of: result.map.reshaped([1, size.height, size.width]))[0]
        let healedTarget = try target.values(of: healedResult.map.reshaped([1, size.height, size.width]))[0]
        let chosen = switch selection {
        case .quantile(let q): "quantile \(q)"
        case .threshold(let t): "threshold \(t)"
        }
        let options = ["selection": chosen, "feather": "\(feather)", "sourcing": sourcing.rawValue, "matchBrightness": "\(matchBrightness)"]
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

    /// The healed cells grouped by where their pixels come from (see ``Sourcing``).
    func pieces(_ healedCells: [Int], scores: [Float], nearest: [PatchLocation], cells: PatchCells) -> [PatchPasting.Piece] {
        let width = cells.grid.width
        func piece(_ members: [Int], anchor: Int) -> PatchPasting.Piece {
            let source = nearest[anchor]
            return PatchPasting.Piece(cells: members, image: source.image,
                                      dy: cells.rows(source.row).lowerBound - cells.rows(anchor / width).lowerBound,
                                      dx: cells.columns(source.column).lowerBound - cells.columns(anchor % width).lowerBound)
        }
        guard sourcing == .eachRegion else { return healedCells.map { piece([$0], anchor: $0) } }
        var unvisited = Set(healedCells)
        var result: [PatchPasting.Piece] = []
        for seed in healedCells where unvisited.contains(seed) {
            unvisited.remove(seed)
            var region = [seed], next = 0
            while next < region.count {
                let (row, column) = (region[next] / width, region[next] % width)
                next += 1
                for dr in -1...1 { for dc in -1...1 {
                    let (r, c) = (row + dr, column + dc)
                    guard (0..<cells.grid.height).contains(r), (0..<width).contains(c), unvisited.remove(r * width + c) != nil else { continue }
                    region.append(r * width + c)
                } }
            }
            let anchor = region.max { scores[$0] < scores[$1] } ?? seed
            result.append(piece(region.sorted(), anchor: anchor))
        }
        return result
    }
}
