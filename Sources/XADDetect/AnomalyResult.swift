import XADTensor

/// What a detector says about one image, with what later stages need to explain it.
public struct AnomalyResult: Sendable {
    /// The image's anomaly score: higher is more anomalous.
    public var score: Float
    /// The anomaly map `[H, W]`, at the scored image's size.
    public var map: Tensor
    /// Where the score came from.
    public var provenance: Provenance

    public init(score: Float, map: Tensor, provenance: Provenance) {
        self.score = score
        self.map = map
        self.provenance = provenance
    }

    /// The same result with its map resampled (bilinear) to `size`.
    public func resizingMap(to size: Size2) throws -> AnomalyResult {
        guard map.shape != [size.height, size.width] else { return self }
        let resized = try map.reshaped([1, 1, map.shape[0], map.shape[1]]).resized(to: size, mode: .bilinear)
        var copy = self
        copy.map = try resized.reshaped([size.height, size.width])
        return copy
    }
}

/// The evidence behind a result: which features were compared, on which patch grid, and for
/// memory-bank methods which normal patch each test patch was closest to. Counterfactual and
/// example explanations are built from this, not recomputed.
public struct Provenance: Sendable {
    /// The backbone layers the features came from.
    public var layers: [String]
    /// The patch grid the map was computed on (before upsampling).
    public var grid: Size2
    /// The patch-level map on `grid` before upsampling and smoothing, `[gridH, gridW]`.
    public var patchScores: Tensor
    /// For memory-bank methods: the nearest normal patch of every test patch, row-major over
    /// `grid`; empty for other methods.
    public var nearestNormal: [PatchLocation]

    public init(layers: [String], grid: Size2, patchScores: Tensor, nearestNormal: [PatchLocation] = []) {
        self.layers = layers
        self.grid = grid
        self.patchScores = patchScores
        self.nearestNormal = nearestNormal
    }
}

/// A patch of a training image: which image, and where on the patch grid.
public struct PatchLocation: Sendable, Hashable, Codable {
    public var image: Int
    public var row: Int
    public var column: Int

    public init(image: Int, row: Int, column: Int) {
        (self.image, self.row, self.column) = (image, row, column)
    }
}
