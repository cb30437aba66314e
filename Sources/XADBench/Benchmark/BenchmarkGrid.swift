import Foundation
import XADDetect
import XADExplain

/// One cell of a benchmark grid: a detector (with options and seed) on a data set, measured for
/// detection (`explainer` is `nil`) or explained by one explainer.
public struct BenchmarkCell: Codable, Hashable, Sendable {
    /// The data set's name in the config.
    public var dataset: String
    /// The detector's registry name.
    public var detector: String
    /// The detector's options as canonical JSON (sorted keys).
    public var detectorOptions: String
    /// The seed of fitting, sampling and the bootstrap.
    public var seed: UInt64
    /// The explainer's registry name; `nil` for the detection cell.
    public var explainer: String?
    /// The explainer's options (the preset's with the config's applied) as canonical JSON.
    public var explainerOptions: String?

    /// A cell; `explainer` `nil` makes the detection cell.
    public init(dataset: String, detector: String, detectorOptions: String = "{}", seed: UInt64 = 0,
                explainer: String? = nil, explainerOptions: String? = nil) {
        (self.dataset, self.detector, self.detectorOptions, self.seed) = (dataset, detector, detectorOptions, seed)
        (self.explainer, self.explainerOptions) = (explainer, explainer == nil ? nil : explainerOptions ?? "{}")
    }

    /// The cell's identity in the results database: every field, joined.
    public var key: String {
        [dataset, detector, detectorOptions, String(seed), explainer ?? "-", explainerOptions ?? "-"].joined(separator: "|")
    }

    /// The fitted model this cell needs, shared by the detection cell and every explainer cell.
    public var modelKey: String { [dataset, detector, detectorOptions, String(seed)].joined(separator: "|") }

    /// "mtd-v1 · padim · seed 0 · grad-cam"
    public var label: String {
        "\(dataset) · \(detector)\(detectorOptions == "{}" ? "" : " \(detectorOptions)") · seed \(seed) · \(explainer ?? "detection")"
    }
}

/// The cells of a config in a fixed order: data set, detector, seed, then the detection cell and
/// one cell per explainer (so that the cells sharing a fitted model are neighbours).
///
/// ```swift
/// let grid = try BenchmarkGrid(config)
/// grid.cells.count                       // datasets x detectors x seeds x (1 + explainers)
/// grid.shard(0, of: 2)                   // the first half, in order
/// ```
public struct BenchmarkGrid: Sendable {
    /// The config the grid was made from.
    public let config: BenchmarkConfig
    /// Every cell, in run order.
    public let cells: [BenchmarkCell]

    /// The grid of `config`, `all` expanded from the registries; each data set meets the
    /// detectors that read its modality (image detectors for image data, video ones for clips).
    /// - Throws: ``BenchmarkConfigError`` listing every problem of the config.
    public init(_ config: BenchmarkConfig) throws {
        try config.validate(file: config.name)
        self.config = config
        let explainers = try Self.expand(config.explainers, everything: Explainers.names).map { entry in
            (name: entry.name, options: try Self.canonical(config.preset.explainerOptions(entry.name).merging(entry.options)))
        }
        var cells: [BenchmarkCell] = []
        for dataset in config.datasets {
            let readers = Detectors.all.filter { Self.reads($0, dataset.traits.modality) }.map { $0.name }
            // A detector named for another modality (a video detector beside image data) skips this data set.
            let detectors = Self.expand(config.detectors, everything: readers).filter { entry in
                (try? Detectors.named(entry.name)).map { Self.reads($0, dataset.traits.modality) } ?? false
            }
            for detector in detectors {
                let options = try Self.canonical(detector.options)
                for seed in config.seeds {
                    let model = BenchmarkCell(dataset: dataset.name, detector: detector.name, detectorOptions: options, seed: seed)
                    cells.append(model)
                    for explainer in explainers {
                        var cell = model
                        (cell.explainer, cell.explainerOptions) = (explainer.name, explainer.options)
                        cells.append(cell)
                    }
                }
            }
        }
        self.cells = cells
    }

    /// Shard `index` of `count`: the `index`-th of `count` contiguous, near-equal runs of
    /// `cells`, so that each shard fits a model once for most of its cells. The shards
    /// together are the grid, each cell in exactly one.
    /// - Throws: ``BenchmarkConfigError`` for an index outside `0..<count`.
    public func shard(_ index: Int, of count: Int) throws -> [BenchmarkCell] {
        guard count >= 1, (0..<count).contains(index) else {
            throw BenchmarkConfigError(file: config.name, problems: ["shard \(index)/\(count): give i/n with 0 <= i < n"])
        }
        let start = cells.count * index / count, end = cells.count * (index + 1) / count
        return Array(cells[start..<end])
    }

    /// `entries` with `all` replaced by every name of `everything` that no other entry names
    /// (so a named entry's options win), each with the `all` entry's options.
    static func expand(_ entries: [BenchmarkConfig.MethodEntry], everything: [String]) -> [BenchmarkConfig.MethodEntry] {
        let named = Set(entries.map(\.name))
        return entries.flatMap { entry in
            entry.name == BenchmarkConfig.everything
                ? everything.filter { !named.contains($0) }.map { BenchmarkConfig.MethodEntry($0, options: entry.options) } : [entry]
        }
    }

    /// Whether `type` reads data of `modality` (video detectors read clips).
    static func reads(_ type: any AnomalyDetector.Type, _ modality: DatasetTraits.Modality) -> Bool {
        (type.traits.input == .clips) == (modality == .video)
    }

    /// `overrides` as compact JSON with sorted keys: equal options give equal text.
    static func canonical(_ overrides: OptionOverrides) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(overrides), as: UTF8.self)
    }
}
