import Foundation
import XADDetect
import XADExplain
import XADTensor
import Yams

/// A benchmark grid as its config file states it: data sets x detectors x explainers x seeds,
/// the quality measures recorded, the image size and the preset of the costly settings.
///
/// Read from YAML (`xad benchmark init` writes a commented example) or JSON. A method entry is a
/// registry name or `{name, options}`; the name `all` stands for every registered image detector
/// (or explainer), so a newly registered method joins the grid with no edit. Relative data set
/// paths are read from the config file's folder.
///
/// ```swift
/// let config = try BenchmarkConfig.load(URL(fileURLWithPath: "grid.yaml"))
/// try config.validate()          // every problem at once, before anything runs
/// let grid = try BenchmarkGrid(config)
/// ```
public struct BenchmarkConfig: Codable, Sendable, Equatable {
    /// One data set of the grid.
    public struct DatasetEntry: Codable, Sendable, Equatable {
        /// The name rows and leaderboards use, e.g. `mtd-v1`.
        public var name: String
        /// The data set's folder (relative paths: from the config file's folder).
        public var path: String
        /// The layout (`xad fit --format`), `nil` detects it.
        public var format: String?
        /// The evaluation protocol, for readers (e.g. `MTD v1: every fifth defect-free image held out`).
        public var `protocol`: String?
        /// What the data is like, for the method selection guide.
        public var traits: DatasetTraits
        /// At most this many training images, evenly spaced over the protocol's; `nil`: all.
        public var trainImages: Int?
        /// At most this many test images, evenly spaced over the protocol's (so the share of each
        /// class stays); `nil`: all.
        public var testImages: Int?

        public init(name: String, path: String, format: String? = nil, protocol: String? = nil,
                    traits: DatasetTraits = DatasetTraits(modality: .image, content: .mixed),
                    trainImages: Int? = nil, testImages: Int? = nil) {
            (self.name, self.path, self.format, self.`protocol`, self.traits) = (name, path, format, `protocol`, traits)
            (self.trainImages, self.testImages) = (trainImages, testImages)
        }

        /// Decodes with image data of mixed content when `traits` is absent.
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(name: try container.decode(String.self, forKey: .name), path: try container.decode(String.self, forKey: .path),
                      format: try container.decodeIfPresent(String.self, forKey: .format),
                      protocol: try container.decodeIfPresent(String.self, forKey: .`protocol`),
                      traits: try container.decodeIfPresent(DatasetTraits.self, forKey: .traits) ?? DatasetTraits(modality: .image, content: .mixed),
                      trainImages: try container.decodeIfPresent(Int.self, forKey: .trainImages),
                      testImages: try container.decodeIfPresent(Int.self, forKey: .testImages))
        }
    }

    /// A detector or explainer: its registry name and option overrides.
    public struct MethodEntry: Codable, Sendable, Equatable {
        /// The registry name, or `all`.
        public var name: String
        /// Values replacing the method's defaults (and, for explainers, the preset's).
        public var options: OptionOverrides

        public init(_ name: String, options: OptionOverrides = OptionOverrides()) {
            (self.name, self.options) = (name, options)
        }

        /// A bare name (`padim`) or an object (`{name: padim, options: {channels: 50}}`).
        public init(from decoder: Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self.init(name)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(try container.decode(String.self, forKey: .name),
                      options: try container.decodeIfPresent(OptionOverrides.self, forKey: .options) ?? OptionOverrides())
        }
    }

    /// The name every entry list may use for "every registered method" not named in the same
    /// list: `[all, {name: fastflow, options: {epochs: 5}}]` is every detector at its defaults
    /// but FastFlow, which runs with 5 epochs.
    public static let everything = "all"

    /// The grid's name, shown on its leaderboards.
    public var name: String
    /// The preset of the costly explainer and measure settings. Default ``BenchmarkPreset/quick``.
    public var preset: BenchmarkPreset
    /// The square size images are resized to. Default 256.
    public var imageSize: Int
    /// One cell per seed (fitting, training, sampling, bootstrap). Default `[0]`.
    public var seeds: [UInt64]
    /// Defect images explained per data set; `nil` takes the preset's.
    public var images: Int?
    /// Bootstrap resamples behind each interval. Default 1000.
    public var bootstrapResamples: Int
    /// Deletion/insertion steps per curve; `nil` takes the preset's.
    public var faithfulnessSteps: Int?
    /// Random pixel subsets of the faithfulness correlation per image; `nil` takes the preset's.
    public var correlationRuns: Int?
    /// The backbone's weight file, when not installed where `WeightLocator` looks.
    public var weights: String?
    /// The data sets.
    public var datasets: [DatasetEntry]
    /// The detectors (`all`: every registered image detector).
    public var detectors: [MethodEntry]
    /// The explainers (`all`: every registered explainer); empty measures detection only.
    public var explainers: [MethodEntry]
    /// The quality measures recorded (`QualityEvaluation.measureNames`, or `all`). Default all.
    public var measures: [String]

    public init(name: String, preset: BenchmarkPreset = .quick, imageSize: Int = 256, seeds: [UInt64] = [0],
                images: Int? = nil, bootstrapResamples: Int = 1000, faithfulnessSteps: Int? = nil, correlationRuns: Int? = nil,
                weights: String? = nil, datasets: [DatasetEntry], detectors: [MethodEntry], explainers: [MethodEntry] = [],
                measures: [String] = [BenchmarkConfig.everything]) {
        (self.name, self.preset, self.imageSize, self.seeds, self.images) = (name, preset, imageSize, seeds, images)
        (self.bootstrapResamples, self.faithfulnessSteps, self.correlationRuns) = (bootstrapResamples, faithfulnessSteps, correlationRuns)
        (self.weights, self.datasets) = (weights, datasets)
        (self.detectors, self.explainers, self.measures) = (detectors, explainers, measures)
    }

    /// Decodes with every documented default for a key that is absent.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "benchmark",
                  preset: try c.decodeIfPresent(BenchmarkPreset.self, forKey: .preset) ?? .quick,
                  imageSize: try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? 256,
                  seeds: try c.decodeIfPresent([UInt64].self, forKey: .seeds) ?? [0],
                  images: try c.decodeIfPresent(Int.self, forKey: .images),
                  bootstrapResamples: try c.decodeIfPresent(Int.self, forKey: .bootstrapResamples) ?? 1000,
                  faithfulnessSteps: try c.decodeIfPresent(Int.self, forKey: .faithfulnessSteps),
                  correlationRuns: try c.decodeIfPresent(Int.self, forKey: .correlationRuns),
                  weights: try c.decodeIfPresent(String.self, forKey: .weights),
                  datasets: try c.decodeIfPresent([DatasetEntry].self, forKey: .datasets) ?? [],
                  detectors: try c.decodeIfPresent([MethodEntry].self, forKey: .detectors) ?? [],
                  explainers: try c.decodeIfPresent([MethodEntry].self, forKey: .explainers) ?? [],
                  measures: try c.decodeIfPresent([String].self, forKey: .measures) ?? [Self.everything])
    }

    /// Reads a config file: JSON when it ends in `.json`, YAML otherwise; relative data set
    /// paths become paths from the file's folder.
    /// - Throws: ``BenchmarkConfigError`` naming the file and what could not be read.
    public static func load(_ file: URL) throws -> BenchmarkConfig {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw BenchmarkConfigError(file: file.path, problems: ["cannot be read: \(error.localizedDescription)"])
        }
        var config: BenchmarkConfig
        do {
            config = file.pathExtension.lowercased() == "json"
                ? try JSONDecoder().decode(Self.self, from: Data(text.utf8)) : try decodeYAML(text, file: file.path)
        } catch let error as BenchmarkConfigError {
            throw error
        } catch {
            throw BenchmarkConfigError(file: file.path, problems: ["is not a benchmark config: \(Self.reason(error))"])
        }
        let folder = file.deletingLastPathComponent()
        for index in config.datasets.indices where !config.datasets[index].path.hasPrefix("/") {
            config.datasets[index].path = folder.appendingPathComponent(config.datasets[index].path).standardizedFileURL.path
        }
        return config
    }

    /// Decodes YAML as `YAMLDecoder` does (merge keys resolved), after checking that its aliases do
    /// not expand past `ReadingLimits.maxDocumentNodes` values: decoding visits every expanded
    /// value, so a few nested aliases would otherwise take hours and gigabytes.
    private static func decodeYAML(_ text: String, file: String) throws -> BenchmarkConfig {
        let parser = try Parser(yaml: text, resolver: .basic.appending(.merge))
        // The parser owns the anchors that the nodes refer to, until decoding is done.
        return try withExtendedLifetime(parser) {
            let root = try parser.singleRoot() ?? ""
            let limits = ReadingLimits.current
            guard expandedCount(of: root, upTo: limits.maxDocumentNodes) <= limits.maxDocumentNodes else {
                throw BenchmarkConfigError(file: file, problems: [
                    "its aliases expand to more than \(limits.maxDocumentNodes) values \(limits.advice("maxDocumentNodes"))"])
            }
            return try YAMLDecoder().decode(Self.self, from: root)
        }
    }

    /// The values of `root` with every alias expanded, counted without recursion and only up to
    /// `limit + 1` (so the count stops early on a bomb).
    private static func expandedCount(of root: Node, upTo limit: Int) -> Int {
        var count = 0
        var pending = [root]
        while let node = pending.popLast(), count <= limit {
            count += 1
            switch node {
            case .scalar, .alias: break
            case .sequence(let sequence): pending.append(contentsOf: sequence)
            case .mapping(let mapping): for (key, value) in mapping { pending.append(key); pending.append(value) }
            }
        }
        return count
    }

    /// The quality measures recorded, `all` expanded.
    public var resolvedMeasures: [String] {
        measures.contains(Self.everything) ? QualityEvaluation.measureNames : measures
    }

    /// The quality evaluation of the preset, with the config's faithfulness settings applied
    /// (randomisation seeded by `seed`).
    public func qualityEvaluation(seed: UInt64) -> QualityEvaluation {
        var evaluation = preset.qualityEvaluation(seed: seed, weightsPath: weights)
        if let faithfulnessSteps { evaluation.faithfulness.steps = faithfulnessSteps }
        if let correlationRuns { evaluation.faithfulness.correlationRuns = correlationRuns }
        return evaluation
    }

    /// Every problem of the config, in one list (empty when it can run): unknown detectors,
    /// explainers, options and measures, missing data set folders, settings out of range.
    public func problems() -> [String] {
        var problems: [String] = []
        if datasets.isEmpty { problems.append("no datasets: give at least one") }
        if detectors.isEmpty { problems.append("no detectors: give at least one (or all)") }
        if !(32...4096).contains(imageSize) { problems.append("imageSize must be in 32...4096, got \(imageSize)") }
        if seeds.isEmpty { problems.append("seeds: give at least one seed") }
        if let images, images < 1 { problems.append("images must be at least 1, got \(images)") }
        if bootstrapResamples < 1 { problems.append("bootstrapResamples must be at least 1, got \(bootstrapResamples)") }
        if let faithfulnessSteps, faithfulnessSteps < 2 { problems.append("faithfulnessSteps must be at least 2, got \(faithfulnessSteps)") }
        if let correlationRuns, correlationRuns < 2 { problems.append("correlationRuns must be at least 2, got \(correlationRuns)") }
        for (name, count) in Dictionary(grouping: datasets.map(\.name), by: { $0 }) where count.count > 1 {
            problems.append("dataset '\(name)' is named \(count.count) times")
        }
        for dataset in datasets {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dataset.path, isDirectory: &isFolder) || !isFolder.boolValue {
                problems.append("dataset '\(dataset.name)': no folder at \(dataset.path)")
            }
            for (key, limit) in [("trainImages", dataset.trainImages), ("testImages", dataset.testImages)] {
                if let limit, limit < 1 { problems.append("dataset '\(dataset.name)': \(key) must be at least 1, got \(limit)") }
            }
        }
        for entry in detectors where entry.name != Self.everything {
            do {
                try Self.checkOptions(of: try Detectors.named(entry.name), entry.options)
            } catch { problems.append("detector '\(entry.name)': \(error)") }
        }
        for entry in explainers where entry.name != Self.everything {
            do { _ = try Explainers.named(entry.name, options: preset.explainerOptions(entry.name).merging(entry.options)) } catch {
                problems.append("explainer '\(entry.name)': \(error)")
            }
        }
        for measure in measures where measure != Self.everything && !QualityEvaluation.measureNames.contains(measure) {
            problems.append("unknown measure '\(measure)'; known: \(QualityEvaluation.measureNames.joined(separator: ", "))")
        }
        return problems
    }

    /// Throws every problem of `problems()` at once.
    /// - Throws: ``BenchmarkConfigError`` listing them.
    public func validate(file: String = "the config") throws {
        let problems = problems()
        guard problems.isEmpty else { throw BenchmarkConfigError(file: file, problems: problems) }
    }

    /// `type`'s options with `overrides` applied, so that a typo fails before anything runs.
    private static func checkOptions<D: AnomalyDetector>(of type: D.Type, _ overrides: OptionOverrides) throws {
        _ = try D.Options().overriding(overrides, method: D.name)
    }

    /// A decoding error in one line: the key path and what was wrong.
    private static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context): context
        @unknown default: nil
        }
        guard let context else { return "\(error)" }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return (path.isEmpty ? "" : "at \(path.dropFirst(path.hasPrefix(".") ? 1 : 0)): ") + context.debugDescription
    }
}

/// A benchmark config that cannot run: every problem, listed.
public struct BenchmarkConfigError: StatusReportingError, CustomStringConvertible, Equatable, Sendable {
    /// A config that cannot run is a wrong request.
    public var exitStatus: ExitStatus { .usage }
    /// The config file.
    public let file: String
    /// Each problem, one sentence.
    public let problems: [String]

    public init(file: String, problems: [String]) {
        (self.file, self.problems) = (file, problems)
    }

    public var description: String {
        problems.count == 1 ? "\(file): \(problems[0])"
            : "\(file): \(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
