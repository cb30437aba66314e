import XADImage
import XADModels
import XADTensor

/// SPADE (Cohen & Hoshen, "Sub-Image Anomaly Detection with Deep Pyramid Correspondences",
/// arXiv:2005.02357, 2020): nearest neighbours at two levels, with nothing learnt.
///
/// - Image level: every training image is described by its deepest chosen layer, averaged over
///   all positions. A test image's score is the mean Euclidean distance from its own pooled
///   vector to its `imageNeighbours` nearest training vectors.
/// - Pixel level: the patches of the `galleryImages` nearest training images form a gallery.
///   Each test patch (the chosen layers resampled, nearest, to the finest grid and concatenated)
///   scores the mean distance to its `patchNeighbours` nearest gallery patches. The patch map is
///   upsampled (bilinear) and smoothed (sigma 4). Each test patch's nearest gallery patch is kept
///   as provenance: which training image, which row and column.
///
/// The fitted state is every training patch, `images x positions x channels x 4` bytes: with the
/// default layers (`stage2`, `stage3`: a 32 x 32 grid, 152 channels at 256 x 256) 238 images take
/// 148 MB; adding `stage1` (64 x 64, 176 channels) takes 690 MB and about 18x the arithmetic per
/// gallery search.
///
/// ```swift
/// let model = try SPADE.fit(on: images, setup: DetectorSetup(layers: SPADE.defaultLayers),
///                           options: SPADE.Options(), backbone: backbone, progress: nil)
/// let result = try model.score(image: test)   // result.provenance.nearestNormal[i]: a training patch
/// ```
public struct SPADE: AnomalyDetector {
    /// SPADE's options, saved inside every model.
    public struct Options: MethodOptions {
        /// K of the image score: the pooled training vectors averaged over (at most all). Default
        /// 50, the paper's value.
        public var imageNeighbours: Int = 50
        /// The nearest training images whose patches form a test image's gallery. Default 5 (as
        /// in the SPADE-pytorch reimplementation); scoring time grows in proportion.
        public var galleryImages: Int = 5
        /// κ of the pixel score: the gallery patches each test patch's distance is averaged over.
        /// Default 1, the paper's value.
        public var patchNeighbours: Int = 1
        /// The smoothing of the map, in input pixels. Default 4.
        public var sigma: Float = 4
        /// Images per backbone batch while fitting. Default 16.
        public var batchSize: Int = 16

        public init() {}

        public static let help = [
            OptionHelp("imageNeighbours", "K of the image score: nearest pooled training vectors averaged"),
            OptionHelp("galleryImages", "nearest training images whose patches form the gallery"),
            OptionHelp("patchNeighbours", "kappa of the pixel score: nearest gallery patches averaged"),
            OptionHelp("sigma", "smoothing of the map, in input pixels"),
            OptionHelp("batchSize", "images per backbone batch while fitting"),
        ]

        public func validate(method: String) throws {
            for (name, value) in [("imageNeighbours", imageNeighbours), ("galleryImages", galleryImages),
                                  ("patchNeighbours", patchNeighbours), ("batchSize", batchSize)] where value < 1 {
                throw OptionError.invalidValue(method: method, message: "\(name) must be at least 1, got \(value)")
            }
        }
    }

    public static let name = "spade"
    /// The name of earlier XADKit versions, whose saved models still load.
    public static let aliases = ["knn"]
    public static let summary = "kNN of pooled features for the image score; nearest patches of the nearest normal images for the map (SPADE)"
    /// EfficientNet-Lite0's `stage2` and `stage3` (timm blocks 2 and 4): a 32 x 32 patch grid at
    /// 256 x 256, which keeps the stored training patches small (see the type's documentation).
    public static let defaultLayers = ["stage2", "stage3"]

    public static let traits = DetectorTraits(providesProvenance: true)

    public let setup: DetectorSetup
    public let options: Options
    let extractor: FeatureExtractor
    /// Every training image's patch features `[N, P, C]`, patch-major.
    let patches: Tensor
    /// The pooled deepest-layer vectors of the training images, `[N, C_deepest]`.
    let images: NearestNeighbours
    let grid: Size2

    public static func fit(_ context: FitContext, options: Options) throws -> SPADE {
        let (images, setup, progress) = (context.images, context.setup, context.progress)
        let backbone = try context.requireBackbone(for: name)
        try options.validate(method: name)
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .nearest)
        var batches: [Tensor] = []
        var grid = Size2(0)
        try images.forEachPreparedBatch(size: options.batchSize, preprocessing: setup.preprocessing, progress: progress) { batch, _ in
            let features = try extractor(batch)
            grid = Size2(height: features.shape[2], width: features.shape[3])
            batches.append(try FeatureExtractor.patchMajor(features))
        }
        let patches = try Tensor.concatenate(batches, axis: 0)
        return try SPADE(setup: setup, options: options, extractor: extractor, patches: patches, grid: grid)
    }

    private init(setup: DetectorSetup, options: Options, extractor: FeatureExtractor, patches: Tensor, grid: Size2) throws {
        self.setup = setup
        self.options = options
        self.extractor = extractor
        self.patches = patches
        self.images = try NearestNeighbours(bank: Self.pooledDeepest(patches, extractor: extractor))
        self.grid = grid
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let features = try extractor(batch)
        let featureGrid = Size2(height: features.shape[2], width: features.shape[3])
        guard featureGrid == grid else {
            throw DetectorError.invalidInput("the input gives a \(featureGrid) patch grid but the model was fitted on \(grid)")
        }
        let count = batch.shape[0], positions = grid.height * grid.width, channels = features.shape[1]
        let rows = try FeatureExtractor.patchMajor(features)
        let imageK = Swift.min(options.imageNeighbours, images.count)
        let galleryK = Swift.min(options.galleryImages, images.count)
        let searched = Swift.max(imageK, galleryK)
        let nearestImages = try images.search(Self.pooledDeepest(rows, extractor: extractor), k: searched)

        var patchScores: [Float] = []
        var results: [(score: Float, nearest: [PatchLocation])] = []
        for b in 0..<count {
            let ranked = nearestImages.indices[(b * searched)..<(b * searched + searched)]
            let imageScore = nearestImages.distances[(b * searched)..<(b * searched + imageK)].reduce(0, +) / Float(imageK)
            let gallery = Array(ranked.prefix(galleryK))
            let queries = try rows.sliced(axis: 0, range: b..<(b + 1)).reshaped([positions, channels])
            let (scores, nearest) = try patchDistances(of: queries, gallery: gallery)
            patchScores += scores
            results.append((imageScore, nearest))
        }

        return try anomalyResults(
            patchScores: Tensor(shape: [patchScores.count], scalars: patchScores), batch: batch, grid: grid,
            sigma: options.sigma, layers: extractor.layers,
            imageScore: { b, _ in results[b].score }, nearestNormal: { results[$0].nearest })
    }

    /// Each query patch's mean distance to its κ nearest patches among the `gallery` training
    /// images' patches, and the location of the nearest one.
    private func patchDistances(of queries: Tensor, gallery: [Int]) throws -> (scores: [Float], nearest: [PatchLocation]) {
        let positions = grid.height * grid.width, channels = patches.shape[2]
        let galleryPatches = try NearestNeighbours(bank: patches.rows(at: gallery).reshaped([gallery.count * positions, channels]))
        let k = Swift.min(options.patchNeighbours, galleryPatches.count)
        let (distances, indices) = try galleryPatches.search(queries, k: k)
        let scores = (0..<positions).map { p in distances[(p * k)..<(p * k + k)].reduce(0, +) / Float(k) }
        let nearest = (0..<positions).map { p in
            let index = indices[p * k], position = index % positions
            return PatchLocation(image: gallery[index / positions], row: position / grid.width, column: position % grid.width)
        }
        return (scores, nearest)
    }

    /// The deepest layer's channels (the last ones: layers are ordered finest first) averaged over
    /// positions, `[N, C_deepest]`, from patch-major features `[N, P, C]`. The nearest resampling
    /// repeats each deepest-layer cell equally often, so this is that layer's global average pool.
    static func pooledDeepest(_ rows: Tensor, extractor: FeatureExtractor) throws -> Tensor {
        let (positions, channels) = (rows.shape[1], rows.shape[2])
        guard let deepest = extractor.layers.last.flatMap({ extractor.backbone.tap(named: $0) }),
              deepest.channels <= channels, positions > 0 else {
            throw DetectorError.invalidInput("the features do not hold the deepest layer's \(channels) channels")
        }
        // Summed, then divided by the count (a mean multiplies by its reciprocal, rounding differently).
        return try rows.sliced(axis: 2, range: (channels - deepest.channels)..<channels).sum(axes: [1]) / Tensor(Float(positions))
    }

    public var fittedTensors: [String: Tensor] {
        ["patch_features": patches,
         "grid": grid.savedTensor]
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let backbone = try requiredBackbone(backbone, for: Self.name)
        try options.validate(method: Self.name)
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .nearest)
        guard let patches = tensors["patch_features"], let grid = Size2(saved: tensors["grid"]),
              patches.rank == 3, patches.shape[0] > 0, patches.shape[2] == extractor.channels,
              grid.height * grid.width == patches.shape[1] else {
            throw DetectorError.invalidInput("the saved kNN tensors are missing or do not fit the backbone's layers")
        }
        try self.init(setup: setup, options: options, extractor: extractor, patches: patches, grid: grid)
    }
}
