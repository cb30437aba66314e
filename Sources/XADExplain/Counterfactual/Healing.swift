import XADDetect
import XADTensor

/// "Healing" for memory-bank detectors (PatchCore, SPADE): every anomalous patch of the image is
/// replaced by the pixels of the normal training patch its nearest neighbour came from, giving
/// a counterfactual "what a normal part would look like here" beside the input.
///
/// The result's provenance names, for each test patch, the training image and grid cell of its
/// nearest normal patch; that image is resampled to the explained image's size, so cells line up
/// pixel for pixel. Each healed cell is pasted with a feathered window: weight 1 on the cell,
/// falling as a raised cosine to 0 over `feather` cells beyond it; where windows overlap, their
/// sources are averaged by weight, and the input shows through by `1 - min(1, Σ weights)`. So
/// seams between pasted patches, and between pasted and kept pixels, are soft. Each pasted patch
/// is also shifted to the input's brightness around it (``Options/matchBrightness``).
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

    /// Healing's options.
    public struct Options: MethodOptions {
        /// Heal patches scoring above this quantile (in 0..<1) of the image's own patch scores.
        /// Default 0.9: the worst 10% of patches (about 100 of PatchCore's 32 x 32 grid at
        /// 256 x 256), enough to cover a typical defect without repainting the whole image.
        public var quantile = 0.9
        /// Heal patches scoring above this patch distance instead (e.g. from normal images'
        /// patch scores). Default none: the quantile decides.
        public var threshold: Float?
        /// How far, in patch cells, a pasted patch fades out beyond its cell. 0 pastes hard-edged
        /// cells and leaves every other pixel as it was. Default 0.5.
        public var feather: Float = 0.5
        /// Default ``Sourcing/eachPatch``.
        public var sourcing = Sourcing.eachPatch
        /// Whether each pasted piece is shifted (per channel) so that its mean over the feathered
        /// ring around it equals the input's there: training images differ in brightness, and a
        /// brighter piece's edge would itself look anomalous (on MTD, healing without it raised
        /// the score). Default true.
        public var matchBrightness = true

        public init() {}

        public static let help = [
            OptionHelp("quantile", "heal patches scoring above this quantile (0..<1) of the image's patch scores"),
            OptionHelp("threshold", "heal patches scoring above this patch distance instead of the quantile"),
            OptionHelp("feather", "fade of each pasted patch beyond its cell, in cells"),
            OptionHelp("sourcing", "eachPatch (each from its own nearest normal patch) or eachRegion (each connected region from one place)"),
            OptionHelp("matchBrightness", "shift each pasted piece to the input's brightness around it"),
        ]

        /// Which patches are healed: ``threshold`` when given, else ``quantile``.
        public var selection: Selection {
            get { threshold.map { .threshold($0) } ?? .quantile(quantile) }
            set {
                switch newValue {
                case .quantile(let q): (quantile, threshold) = (q, nil)
                case .threshold(let value): threshold = value
                }
            }
        }

        public func validate(method: String) throws {
            guard (0..<1).contains(quantile) else {
                throw OptionError.invalidValue(method: method, message: "quantile must be in 0..<1, got \(quantile)")
            }
            if let threshold, !threshold.isFinite {
                throw OptionError.invalidValue(method: method, message: "threshold must be finite, got \(threshold)")
            }
            guard feather >= 0, feather.isFinite else {
                throw OptionError.invalidValue(method: method, message: "feather must be a finite width >= 0, got \(feather)")
            }
        }
    }

    public static let name = "healing"
    public static let summary = "Replaces the anomalous patches by the normal training patches they were matched to, showing what a normal part would look like."
    public static let requirements: ExplainerRequirements = [.provenance, .normalImages]

    public var options: Options
    /// Where the training images come from.
    public var context: ExplanationContext

    public init(options: Options) {
        self.options = options
        context = ExplanationContext()
    }

    /// Healing with these settings (see ``Options``).
    public init(selection: Selection = .quantile(0.9), feather: Float = 0.5, sourcing: Sourcing = .eachPatch,
                matchBrightness: Bool = true, context: ExplanationContext = ExplanationContext()) {
        self.init(options: Options())
        options.selection = selection
        options.feather = feather
        options.sourcing = sourcing
        options.matchBrightness = matchBrightness
        self.context = context
    }

    /// A memory-bank detector's provenance, on the whole image, and the training images it
    /// refers to.
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        Self.requirements.unmet(by: detector) ?? PatchCells.unmetNeeds(of: detector.setup) ?? context.missingNormalImages
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        guard image.rank == 4, image.shape[0] == 1 else {
            throw ExplainerError.invalidInput("healing explains one image [1, C, H, W], got \(image.shape)")
        }
        let result = try detector.score(image: image)
        let provenance = result.provenance
        guard provenance.nearestNormal.count == provenance.grid.height * provenance.grid.width,
              provenance.patchScores.count == provenance.nearestNormal.count else {
            throw ExplainerError.notApplicable(method: Self.name, reason: "the \(type(of: detector).name) detector's result names no nearest normal training patch for each of its \(provenance.grid) patches")
        }
        let cells = try PatchCells(grid: provenance.grid, imageSize: image.imageSize, setup: detector.setup, method: Self.name)
        let scores = provenance.patchScores.scalars
        let healedCells = try anomalousCells(scores, cells: cells, target: target)
        let pasting = PatchPasting(cells: cells, feather: options.feather, matchBrightness: options.matchBrightness)
        let pieces = self.pieces(healedCells, scores: scores, nearest: provenance.nearestNormal, cells: cells)
        let healed = try pasting.paste(pieces, into: image) { index in
            try context.normalImage(index, resizedTo: image.imageSize, channels: image.shape[1], method: Self.name)
        }
        let healedResult = try detector.score(image: healed)

        let difference = try (image - healed).abs()
        let size = image.imageSize
        let targetValue = try target.values(of: result.map.reshaped([1, size.height, size.width]))[0]
        let healedTarget = try target.values(of: healedResult.map.reshaped([1, size.height, size.width]))[0]
        let chosen = switch options.selection {
        case .quantile(let q): "quantile \(q)"
        case .threshold(let t): "threshold \(t)"
        }
        let summary = ["selection": chosen, "feather": "\(options.feather)", "sourcing": options.sourcing.rawValue,
                       "matchBrightness": "\(options.matchBrightness)"]
        return Explanation(
            method: Self.name, map: try difference.sum(axes: [0, 1]), target: target, targetValue: targetValue,
            images: ["counterfactual": healed, "difference": difference],
            values: ["score": Double(result.score), "healed_score": Double(healedResult.score), "target": Double(targetValue),
                     "healed_target": Double(healedTarget), "healed_patches": Double(healedCells.count)],
            options: summary)
    }

    /// The row-major cells whose patch score passes ``Options/selection``, among those the target covers.
    func anomalousCells(_ scores: [Float], cells: PatchCells, target: ExplanationTarget) throws -> [Int] {
        let threshold: Float
        switch options.selection {
        case .quantile(let q):
            let sorted = scores.sorted()
            let position = q * Double(sorted.count - 1)
            let below = Int(position.rounded(.down)), above = Swift.min(below + 1, sorted.count - 1)
            threshold = sorted[below] + Float(position - Double(below)) * (sorted[above] - sorted[below])
        case .threshold(let value):
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
        guard options.sourcing == .eachRegion else { return healedCells.map { piece([$0], anchor: $0) } }
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
