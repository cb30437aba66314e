import XADDetect
import XADTensor

/// Example-based explanation: for the image's most anomalous patch, the `count` normal training
/// images holding the most similar patches, shown as crops beside the test crop ("this is what
/// this part looks like when it is normal").
///
/// The query is the result's highest-scoring patch (within the target's region, for a region
/// target). Its feature vector is computed by the detector's own `FeatureExtractor` (its
/// backbone, layers and resampling: `PatchFeatureDetector`); every training image's patch
/// features are computed the same way, and each image's nearest patch to the query is found by
/// one matrix product (`NearestNeighbours`). The `count` images whose nearest patch is closest
/// are the exemplars, at most one patch per image so the examples differ.
///
/// The training features are computed once, `batchSize` images a backbone pass, on the first
/// explained image, and kept for the next ones (copies of the explainer share them; ``using(_:)``
/// with a new context starts afresh). Each later image first recomputes the features of a small
/// probe (the first training image shrunk to a quarter of its side, `ExtractorProbe`): if they
/// differ (another detector, other or randomised weights) all are computed again. Memory:
/// training images x patches x channels x 4 bytes.
///
/// Crops are `cropCells x cropCells` patch cells centred on the patch (moved inward at borders),
/// cut from the explained image and from each training image resampled to the explained image's
/// size. The map is the detector's anomaly map (the evidence the query was chosen from).
/// Extras: `images["query"]` and `images["exemplar-1"...]` (`[1, C, h, w]` in 0...1), values
/// `query_row`, `query_column`, `query_score` (its patch score) and, for each exemplar `i`,
/// `distance-i` (feature distance), `image-i` (training-image index), `row-i`, `column-i`.
///
/// ```swift
/// let exemplars = NearestExemplars(count: 3).using(ExplanationContext(normalImages: saved.trainingImages))
/// let explanation = try exemplars.explain(saved.detector, image: image, target: .imageScore)
/// explanation.images["exemplar-1"]   // the closest normal crop
/// ```
public struct NearestExemplars: ContextualExplainer {
    /// The exemplars' options.
    public struct Options: MethodOptions {
        /// Exemplars returned (at most the number of training images). Default 3.
        public var count = 3
        /// The side of every crop, in patch cells. Default 3 (24 pixels of a 256-pixel image on a
        /// 32 x 32 grid, before scaling to the image's size).
        public var cropCells = 3
        /// Training images per backbone pass. Default 8.
        public var batchSize = 8

        public init() {}

        public static let help = [OptionHelp("count", "exemplars shown (at most the number of training images)"),
                                  OptionHelp("cropCells", "side of every crop, in patch cells"),
                                  OptionHelp("batchSize", "training images per backbone pass")]

        public func validate(method: String) throws {
            guard count >= 1, cropCells >= 1, batchSize >= 1 else {
                throw OptionError.invalidValue(method: method, message: "count, cropCells and batchSize must be at least 1, got \(count), \(cropCells) and \(batchSize)")
            }
        }
    }

    public static let name = "exemplars"
    public static let summary = "Shows the normal training images whose patches are most like the image's most anomalous patch, as crops beside it."
    public static let requirements: ExplainerRequirements = [.patchFeatures, .normalImages]

    public var options: Options
    /// Where the training images come from.
    public private(set) var context: ExplanationContext
    /// The training images' features, shared by copies of this value.
    let cache = TrainingFeatureCache()

    public init(options: Options) {
        self.options = options
        context = ExplanationContext()
    }

    /// These exemplars drawing on `context`'s training images, with an empty feature cache.
    public func using(_ context: ExplanationContext) -> NearestExemplars {
        NearestExemplars(options: options, context: context)
    }

    private init(options: Options, context: ExplanationContext) {
        self.options = options
        self.context = context
    }

    /// Nearest exemplars with these settings (see ``Options``).
    public init(count: Int = 3, cropCells: Int = 3, batchSize: Int = 8, context: ExplanationContext = ExplanationContext()) {
        var options = Options()
        options.count = count
        options.cropCells = cropCells
        options.batchSize = batchSize
        self.init(options: options, context: context)
    }

    /// Patch features in the detector's own space, on the whole image, and its training images.
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        Self.requirements.unmet(by: detector) ?? PatchCells.unmetNeeds(of: detector.setup) ?? context.missingNormalImages
    }

    /// One exemplar: a training image and the grid cell of its patch nearest the query.
    struct Match {
        var image: Int
        var cell: Int
        var distance: Float
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        guard image.rank == 4, image.shape[0] == 1 else {
            throw ExplainerError.invalidInput("exemplars explain one image [1, C, H, W], got \(image.shape)")
        }
        guard let features = detector as? any PatchFeatureDetector else {
            throw ExplainerError.notApplicable(method: Self.name, reason: Self.requirements.unmet(by: detector) ?? "")
        }
        let normals = try context.requiredNormalImages(method: Self.name)
        let result = try detector.score(image: image)
        let (queryRows, grid) = try features.patchFeatures(batch: detector.setup.preprocessing(image))
        let cells = try PatchCells(grid: grid, imageSize: image.imageSize, setup: detector.setup, method: Self.name)
        let patchScores = result.provenance.patchScores
        guard patchScores.count == grid.height * grid.width else {
            throw ExplainerError.notApplicable(method: Self.name, reason: "the detector's result gives \(patchScores.count) patch scores, which do not fill its \(grid) feature grid")
        }
        let queryCell = try cells.mostAnomalousCell(patchScores, target: target)
        let channels = queryRows.shape[2]
        let query = try queryRows.reshaped([grid.height * grid.width, channels]).sliced(axis: 0, range: queryCell..<(queryCell + 1))

        let matches = try nearestImages(to: query, among: normals, detector: features, grid: grid)
        let size = image.imageSize
        var images = ["query": try crop(image, around: queryCell, cells: cells)]
        var values: [String: Double] = ["query_row": Double(queryCell / grid.width), "query_column": Double(queryCell % grid.width),
                                        "query_score": Double(patchScores.scalars[queryCell])]
        for (rank, match) in matches.prefix(options.count).enumerated() {
            let normal = try context.normalImage(match.image, resizedTo: size, channels: image.shape[1], method: Self.name)
            images["exemplar-\(rank + 1)"] = try crop(normal, around: match.cell, cells: cells)
            values["distance-\(rank + 1)"] = Double(match.distance)
            values["image-\(rank + 1)"] = Double(match.image)
            values["row-\(rank + 1)"] = Double(match.cell / grid.width)
            values["column-\(rank + 1)"] = Double(match.cell % grid.width)
        }
        let targetValue = try target.values(of: result.map.reshaped([1, size.height, size.width]))[0]
        return Explanation(method: Self.name, map: result.map, target: target, targetValue: targetValue, images: images,
                           values: values, options: ["count": "\(options.count)", "cropCells": "\(options.cropCells)"])
    }

    /// Every training image's patch nearest `query` (`[1, C]`), closest first.
    func nearestImages(to query: Tensor, among normals: any ImageSource, detector: any PatchFeatureDetector,
                       grid: Size2) throws -> [Match] {
        let features = try cache.features(of: normals, detector: detector, grid: grid, batchSize: options.batchSize)
        let matches = try features.banks.enumerated().map { image, bank in
            let nearest = try bank.search(query, k: 1)
            return Match(image: image, cell: nearest.indices[0], distance: nearest.distances[0])
        }
        return matches.sorted { ($0.distance, $0.image) < ($1.distance, $1.image) }
    }

    /// The ``Options/cropCells``-square of cells around `cell` (moved inward at the borders) cut from
    /// `image`, `[1, C, h, w]`.
    func crop(_ image: Tensor, around cell: Int, cells: PatchCells) throws -> Tensor {
        let side = (Swift.min(options.cropCells, cells.grid.height), Swift.min(options.cropCells, cells.grid.width))
        let top = Swift.min(Swift.max(cell / cells.grid.width - side.0 / 2, 0), cells.grid.height - side.0)
        let left = Swift.min(Swift.max(cell % cells.grid.width - side.1 / 2, 0), cells.grid.width - side.1)
        let rows = cells.rows(top).lowerBound..<cells.rows(top + side.0 - 1).upperBound
        let columns = cells.columns(left).lowerBound..<cells.columns(left + side.1 - 1).upperBound
        return try image.sliced(axis: 2, range: rows).sliced(axis: 3, range: columns)
    }
}
