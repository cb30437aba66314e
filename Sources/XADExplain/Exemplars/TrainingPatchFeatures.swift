import Synchronization
import XADDetect
import XADTensor

/// The patch features of a detector's normal training images, one searchable bank per image:
/// what ``NearestExemplars`` searches for every explained image.
///
/// Memory: images x patches x channels x 4 bytes (PatchCore on MTD's 215 fit images at
/// 256 x 256: 215 x 1,024 x 152 x 4 = 134 MB).
struct TrainingPatchFeatures: Sendable {
    /// One bank of `grid.height · grid.width` rows per training image, in image order.
    var banks: [NearestNeighbours]
    /// The detector's feature grid.
    var grid: Size2
    /// The detector's setup when the features were computed.
    var setup: DetectorSetup
    /// What tells, cheaply, whether a detector still computes these features.
    var probe: ExtractorProbe

    /// The features of every image of `normals` through `detector`'s extractor, `batchSize` images
    /// a pass.
    /// - Throws: ``ExplainerError/invalidInput(_:)`` for an empty set or a grid other than `grid`.
    init(of normals: any ImageSource, detector: any PatchFeatureDetector, grid: Size2, batchSize: Int) throws {
        guard normals.count > 0 else { throw ExplainerError.invalidInput("exemplars: the normal image set is empty") }
        banks = []
        banks.reserveCapacity(normals.count)
        var start = 0
        while start < normals.count {
            let end = Swift.min(start + batchSize, normals.count)
            let rows = try Self.rows(of: start..<end, in: normals, detector: detector, grid: grid)
            for offset in 0..<(end - start) {
                banks.append(try NearestNeighbours(bank: rows.sliced(axis: 0, range: offset..<(offset + 1))
                    .reshaped([grid.height * grid.width, rows.shape[2]])))
            }
            start = end
        }
        self.grid = grid
        self.setup = detector.setup
        probe = try ExtractorProbe(image: normals.image(at: 0), detector: detector)
    }

    /// Patch-major features `[n, positions, C]` of the images `range` of `normals`.
    static func rows(of range: Range<Int>, in normals: any ImageSource, detector: any PatchFeatureDetector,
                     grid: Size2) throws -> Tensor {
        let batch = try Tensor.concatenate(range.map { try detector.setup.preprocessing(normals.image(at: $0)) }, axis: 0)
        let (rows, trainingGrid) = try detector.patchFeatures(batch: batch)
        guard trainingGrid == grid else {
            throw ExplainerError.invalidInput("exemplars: training images give a \(trainingGrid) patch grid, the explained image \(grid)")
        }
        return rows
    }

    /// Whether these are still `detector`'s features of `normals`: the same setup, grid and image
    /// count, and the probe's features recomputed now agree with the stored ones (another
    /// backbone, other weights or randomised layers change them).
    func match(_ detector: any PatchFeatureDetector, normals: any ImageSource, grid: Size2) throws -> Bool {
        guard detector.setup == setup, grid == self.grid, normals.count == banks.count else { return false }
        return try probe.agrees(with: detector)
    }
}

/// A small fixed input and the features a detector's extractor gave it: recomputing them tells
/// whether stored features still belong to a detector, for a sixteenth of a full-size backbone
/// pass (64 x 64 instead of 256 x 256).
///
/// The input is the first training image, prepared by the detector's setup and shrunk (bilinear)
/// to a quarter of its side, but at least twice the deepest tap's stride so that every tap keeps a
/// grid of at least 2 x 2. Why a small input suffices: the check is for other weights (another
/// backbone, randomised layers) or another extractor, and those change the features of a small
/// input as they do a full-size one's; the grid of full-size inputs is checked apart.
struct ExtractorProbe: Sendable {
    /// The prepared, shrunk input `[1, 3, h, w]`.
    let input: Tensor
    /// The extractor's features of ``input`` when the probe was made.
    let features: [Float]

    init(image: Tensor, detector: any PatchFeatureDetector) throws {
        let prepared = try detector.setup.preprocessing(image)
        let extractor = detector.featureExtractor
        let stride = extractor.layers.compactMap { extractor.backbone.tap(named: $0)?.stride }.max() ?? 1
        func side(_ full: Int) -> Int { Swift.min(full, Swift.max(full / 4, 2 * stride)) }
        input = try prepared.resized(to: Size2(height: side(prepared.shape[2]), width: side(prepared.shape[3])))
        features = try extractor(input).scalars
    }

    /// Whether `detector`'s extractor gives ``input`` the stored features (up to float32 noise).
    func agrees(with detector: any PatchFeatureDetector) throws -> Bool {
        FeatureProbe.agree(features, try detector.featureExtractor(input).scalars)
    }
}

/// The training features ``NearestExemplars`` computed last, reused while they still match the
/// detector (copies of the explainer share them; a new context starts an empty cache).
final class TrainingFeatureCache: Sendable {
    private struct State {
        var features: TrainingPatchFeatures?
        var fills = 0
    }

    private let state = Mutex(State())

    /// How many times the features were computed (for tests: a reuse does not count).
    var fills: Int { state.withLock { $0.fills } }

    /// `detector`'s features of `normals`, computed on first use and again whenever the
    /// detector's no longer match them.
    func features(of normals: any ImageSource, detector: any PatchFeatureDetector, grid: Size2,
                  batchSize: Int) throws -> TrainingPatchFeatures {
        try state.withLock { state in
            if let cached = state.features, try cached.match(detector, normals: normals, grid: grid) { return cached }
            state.features = nil   // frees the old features before the new ones are computed
            let features = try TrainingPatchFeatures(of: normals, detector: detector, grid: grid, batchSize: batchSize)
            state.features = features
            state.fills += 1
            return features
        }
    }
}
