import XADImage
import XADModels
import XADTensor

/// Turns prepared images into one feature vector per patch: the chosen backbone layers, each
/// optionally smoothed over its 3x3 neighbourhood, resampled to the finest layer's grid and
/// concatenated along channels. PaDiM, PatchCore and kNN all start here.
public struct FeatureExtractor: Sendable {
    public let backbone: any Backbone
    public let layers: [String]
    /// How coarser layers are brought to the finest grid (PaDiM: nearest; PatchCore: bilinear).
    public let upsampling: ResizeMode
    /// PatchCore's "locally aware" features: a 3x3 average (stride 1, zero padding counted) of
    /// each layer before resampling.
    public let neighbourhoodAverage: Bool

    public init(backbone: any Backbone, layers: [String], upsampling: ResizeMode, neighbourhoodAverage: Bool = false) throws {
        guard !layers.isEmpty else { throw DetectorError.invalidOption("at least one backbone layer is needed") }
        let taps = layers.map { backbone.tap(named: $0) }
        for (layer, tap) in zip(layers, taps) where tap == nil {
            throw DetectorError.invalidOption("the backbone has no layer \"\(layer)\"; it has \(backbone.taps.map(\.name).joined(separator: ", "))")
        }
        // Finest first, so the first layer's grid is the patch grid.
        let ordered = zip(layers, taps.compactMap { $0 }).sorted { $0.1.stride < $1.1.stride }
        self.backbone = backbone
        self.layers = ordered.map(\.0)
        self.upsampling = upsampling
        self.neighbourhoodAverage = neighbourhoodAverage
    }

    /// The number of channels of the concatenated features.
    public var channels: Int { layers.compactMap { backbone.tap(named: $0)?.channels }.reduce(0, +) }

    /// The deepest layer, where the backbone can stop.
    private var deepest: String? {
        layers.max { (backbone.tap(named: $0)?.stride ?? 0) < (backbone.tap(named: $1)?.stride ?? 0) }
    }

    /// Patch features `[N, C, gridH, gridW]` of a prepared batch `[N, 3, H, W]`. Differentiable.
    public func callAsFunction(_ batch: Tensor) throws -> Tensor {
        try combined(try tapMaps(batch))
    }

    /// The backbone maps of `layers` (and any computed before them) for a prepared batch.
    public func tapMaps(_ batch: Tensor) throws -> [String: Tensor] {
        try backbone.features(batch, upTo: deepest)
    }

    /// Patch features from the backbone maps ``tapMaps(_:)`` returned. Differentiable, so
    /// gradient explainers can reach both the input and each tap through it.
    public func combined(_ maps: [String: Tensor]) throws -> Tensor {
        var parts: [Tensor] = []
        var grid: Size2?
        for layer in layers {
            guard var map = maps[layer] else { throw DetectorError.invalidOption("the backbone returned no map for \(layer)") }
            if neighbourhoodAverage { map = try map.avgPool2d(kernel: 3, stride: 1, padding: 1) }
            let size = Size2(height: map.shape[2], width: map.shape[3])
            if let grid, grid != size { map = try map.resized(to: grid, mode: upsampling) }
            grid = grid ?? size
            parts.append(map)
        }
        return parts.count == 1 ? parts[0] : try Tensor.concatenate(parts, axis: 1)
    }
}

extension FeatureExtractor {
    /// Features `[N, C, h, w]` laid out patch-major `[N, h * w, D]`, keeping only `channels`
    /// (all channels when nil), so that each patch's vector is contiguous.
    static func patchMajor(_ features: Tensor, channels: [Int]? = nil) throws -> Tensor {
        let rows = try features.channelsLast(keeping: channels)
        return try rows.reshaped([rows.shape[0], rows.shape[1] * rows.shape[2], rows.shape[3]])
    }
}

extension ImageSource {
    /// Calls `body` with consecutive prepared batches `[B, 3, H, W]` and the index of their first
    /// image, reporting progress after each batch.
    func forEachPreparedBatch(size: Int, preprocessing: Preprocessing, progress: FitProgress?,
                              _ body: (Tensor, Int) throws -> Void) throws {
        guard count > 0 else { throw DetectorError.noTrainingImages }
        var start = 0
        while start < count {
            let end = Swift.min(start + Swift.max(size, 1), count)
            let prepared = try (start..<end).map { try preprocessing(image(at: $0)) }
            try body(try Tensor.concatenate(prepared, axis: 0), start)
            progress?("features", end, count)
            start = end
        }
    }
}
