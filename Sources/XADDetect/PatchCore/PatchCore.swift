import XADImage
import XADModels
import XADTensor

/// PatchCore (Roth et al., "Towards Total Recall in Industrial Anomaly Detection", CVPR 2022):
/// a memory bank of locally aware patch features of normal images, thinned by greedy k-centre
/// selection; a test patch's score is its distance to the nearest bank patch.
///
/// Each layer is averaged over 3x3 neighbourhoods, resampled (bilinear) to the finest layer's
/// grid and concatenated. The coreset is chosen on randomly projected features. The image score
/// is the largest patch distance re-weighted by how isolated its nearest bank patch is (the
/// paper's Eq. 7, as anomalib computes it); the map is the patch distances upsampled (bilinear)
/// and smoothed (sigma 4).
public struct PatchCore: AnomalyDetector {
    /// PatchCore's options, saved inside every model.
    public struct Options: MethodOptions {
        /// Fraction of all training patches kept in the memory bank. Default 0.1.
        public var coresetRatio: Double = 0.1
        /// Upper bound on the memory bank's patches (memory: patches x channels x 4 bytes), or nil.
        public var maximumBankSize: Int? = nil
        /// Upper bound on the training patches held while fitting, or nil to hold every patch.
        /// Beyond it each image keeps the same number of its patches, a seeded random choice, so
        /// fitting memory stays under about `maximumFitPatches x 2 x channels x 4` bytes however
        /// many images there are (the coreset then takes ``coresetRatio`` of the held patches).
        /// Default 524,288 (640 MB at EfficientNet-Lite0's 152 channels): MTD v1's 215 images at
        /// 256 x 256 (220,160 patches) are held whole.
        public var maximumFitPatches: Int? = 524_288
        /// Dimensions of the random projection used for coreset selection. Default 128.
        public var projectionDimensions: Int = 128
        /// Bank neighbours used to re-weight the image score (1 disables re-weighting). Default 9.
        public var neighbours: Int = 9
        /// Seed of the projection and of the coreset's first point. Default 0.
        public var seed: UInt64 = 0
        /// The smoothing of the map, in input pixels. Default 4.
        public var sigma: Float = 4
        /// Images per backbone batch. Default 16.
        public var batchSize: Int = 16

        public init() {}

        public static let help = [
            OptionHelp("coresetRatio", "fraction of all training patches kept in the memory bank, in (0, 1]"),
            OptionHelp("maximumBankSize", "upper bound on the memory bank's patches (none: no bound)"),
            OptionHelp("maximumFitPatches", "upper bound on the training patches held while fitting; beyond it each image keeps a random share (none: hold all)"),
            OptionHelp("projectionDimensions", "dimensions of the random projection used for coreset selection"),
            OptionHelp("neighbours", "bank neighbours used to re-weight the image score (1 disables re-weighting)"),
            OptionHelp("seed", "seed of the projection and of the coreset's first point"),
            OptionHelp("sigma", "smoothing of the map, in input pixels"),
            OptionHelp("batchSize", "images per backbone batch"),
        ]

        public func validate(method: String) throws {
            guard coresetRatio > 0, coresetRatio <= 1 else {
                throw OptionError.invalidValue(method: method, message: "coresetRatio must be in (0, 1], got \(coresetRatio)")
            }
            guard batchSize > 0 else { throw OptionError.invalidValue(method: method, message: "batchSize must be at least 1, got \(batchSize)") }
            if let maximumFitPatches, maximumFitPatches < 1 {
                throw OptionError.invalidValue(method: method, message: "maximumFitPatches must be at least 1, got \(maximumFitPatches)")
            }
        }
    }

    public static let name = "patchcore"
    public static let summary = "memory bank of locally aware patch features, coreset-thinned; nearest-patch distance map"
    /// The layers of anomalib's EfficientNet configuration (timm blocks 2 and 4).
    public static let defaultLayers = ["stage2", "stage3"]
    public static let traits = DetectorTraits(providesProvenance: true)

    public let setup: DetectorSetup
    public let options: Options
    let extractor: FeatureExtractor
    let memory: NearestNeighbours
    /// Training image, row and column of every bank patch.
    let sources: [PatchLocation]
    let grid: Size2

    public static func fit(_ context: FitContext, options: Options) throws -> PatchCore {
        let (images, setup, progress) = (context.images, context.setup, context.progress)
        let backbone = try context.requireBackbone(for: name)
        try options.validate(method: name)
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .bilinear,
                                             neighbourhoodAverage: true)
        let held = try heldPatches(of: images, extractor: extractor, options: options, preprocessing: setup.preprocessing,
                                   progress: progress)
        let (patches, grid) = (held.rows, held.grid)
        let channels = extractor.channels
        let total = patches.shape[0]
        var size = Int((Double(total) * options.coresetRatio).rounded(.up))
        if let bound = options.maximumBankSize { size = Swift.min(size, Swift.max(bound, 1)) }

        progress?("coreset", 0, size)
        var generator = SeededGenerator(seed: options.seed)
        let dims = Swift.max(1, options.projectionDimensions)
        let projection = Tensor.normal([channels, dims], std: 1 / Float(dims).squareRoot(), generator: &generator)
        let projected = try patches.matmul(projection)
        // The coreset's first centre: a seeded random patch, as anomalib starts it.
        var firstCentre = SeededGenerator(seed: generator.next())
        let chosen = try projected.kCenterGreedyRows(size, firstCentre: Int(firstCentre.next() % UInt64(Swift.max(total, 1))))
        progress?("coreset", chosen.count, size)

        return PatchCore(setup: setup, options: options, extractor: extractor,
                         memory: try NearestNeighbours(bank: patches.rows(at: chosen)),
                         sources: chosen.map { held.sources[$0] }, grid: grid)
    }

    private init(setup: DetectorSetup, options: Options, extractor: FeatureExtractor, memory: NearestNeighbours,
                 sources: [PatchLocation], grid: Size2) {
        self.setup = setup
        self.options = options
        self.extractor = extractor
        self.memory = memory
        self.sources = sources
        self.grid = grid
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] {
        let features = try extractor(batch)
        let featureGrid = Size2(height: features.shape[2], width: features.shape[3])
        guard featureGrid == grid else {
            throw DetectorError.invalidInput("the input gives a \(featureGrid) patch grid but the model was fitted on \(grid)")
        }
        let count = batch.shape[0], positions = grid.height * grid.width, channels = features.shape[1]
        let rows = try FeatureExtractor.patchMajor(features).reshaped([count * positions, channels])
        let (distances, indices) = try memory.search(rows, k: 1)
        func patches(of image: Int) -> Range<Int> { (image * positions)..<((image + 1) * positions) }
        return try anomalyResults(
            patchScores: Tensor(shape: [distances.count], scalars: distances), batch: batch, grid: grid,
            sigma: options.sigma, layers: extractor.layers,
            imageScore: { b, _ in
                try reweightedScore(rows: rows, distances: distances[patches(of: b)], indices: indices[patches(of: b)])
            },
            nearestNormal: { b in indices[patches(of: b)].map { sources[$0] } })
    }

    /// The paper's Eq. 7: the largest patch distance s*, times `1 - softmax(-)`'s weight of the
    /// nearest bank patch m* among its own `neighbours` nearest bank patches, measured from the
    /// test patch (anomalib's form: `(1 - softmax(distances))[0] * s*`).
    /// `distances` and `indices` are one image's slices of the batch's rows (absolute indices).
    private func reweightedScore(rows: Tensor, distances: ArraySlice<Float>, indices: ArraySlice<Int>) throws -> Float {
        guard let worst = distances.indices.max(by: { distances[$0] < distances[$1] }) else { return 0 }
        let score = distances[worst]
        guard options.neighbours > 1 else { return score }
        let support = try memory.search(memory.bank.rows(at: [indices[worst]]), k: options.neighbours).indices
        let supportDistances = try memory.distances(from: rows.rows(at: [worst]), to: support)
        let largest = supportDistances.max() ?? 0
        let exponentials = supportDistances.map { _exp($0 - largest) }
        let weight = 1 - exponentials[0] / exponentials.reduce(0, +)
        return weight * score
    }

    public var fittedTensors: [String: Tensor] {
        let locations = Tensor(shape: [sources.count, 3]) { out in
            for (i, source) in sources.enumerated() {
                out[3 * i] = Float(source.image); out[3 * i + 1] = Float(source.row); out[3 * i + 2] = Float(source.column)
            }
        }
        return ["memory_bank": memory.bank, "bank_sources": locations,
                "grid": grid.savedTensor]
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        let backbone = try requiredBackbone(backbone, for: Self.name)
        let extractor = try FeatureExtractor(backbone: backbone, layers: setup.layers, upsampling: .bilinear,
                                             neighbourhoodAverage: true)
        guard let bank = tensors["memory_bank"], let locations = tensors["bank_sources"], let grid = Size2(saved: tensors["grid"]),
              bank.rank == 2, bank.shape[1] == extractor.channels, locations.shape == [bank.shape[0], 3],
              let values = SavedIntegers.decode(locations.scalars, below: SavedIntegers.limit) else {
            throw DetectorError.invalidInput("the saved PatchCore tensors are missing or do not fit the backbone's layers")
        }
        let sources = (0..<bank.shape[0]).map {
            PatchLocation(image: values[3 * $0], row: values[3 * $0 + 1], column: values[3 * $0 + 2])
        }
        self.init(setup: setup, options: options, extractor: extractor, memory: try NearestNeighbours(bank: bank),
                  sources: sources, grid: grid)
    }
}
