import Foundation
import XADData
import XADDetect
import XADExplain
import XADImage
import XADMetrics
import XADTensor

/// Runs a grid's cells and stores each finished cell in the results database: fits each
/// detector once per data set, options and seed (the explainer cells after it reuse the fitted
/// model), evaluates detection with ``Evaluator`` and explanations with `QualityEvaluation`.
///
/// Resumable: a cell already in the database with the same data fingerprint is skipped. A cell
/// whose explainer does not apply to its detector is stored with a note and no figures; a cell
/// that fails is reported, not stored, so that a rerun tries it again.
///
/// ```swift
/// let runner = BenchmarkRunner(grid: try BenchmarkGrid(config), database: try ResultsDatabase(path: "results.db"))
/// let summary = try runner.run(try runner.grid.shard(0, of: 2)) { event in print(event.line) }
/// ```
public struct BenchmarkRunner: Sendable {
    /// The grid.
    public let grid: BenchmarkGrid
    /// Where finished cells go.
    public let database: ResultsDatabase

    public init(grid: BenchmarkGrid, database: ResultsDatabase) {
        (self.grid, self.database) = (grid, database)
    }

    /// What a run did and what it cost.
    public struct Summary: Sendable, Codable, Equatable {
        /// Cells measured and stored.
        public var ran = 0
        /// Cells skipped as already done on the same data.
        public var skipped = 0
        /// Cells that failed, with their errors.
        public var failures: [String] = []
        /// Wall seconds of the whole run.
        public var wallSeconds = 0.0
        /// Seconds inside fitting, scoring and explaining (the methods' own work).
        public var methodSeconds = 0.0

        /// The platform's own share of the wall time: loading, fingerprints, metrics, bootstrap, database.
        public var overheadShare: Double { wallSeconds > 0 ? Swift.max(0, wallSeconds - methodSeconds) / wallSeconds : 0 }
    }

    /// Runs `cells` (default: the whole grid) in order.
    /// - Parameters:
    ///   - cells: the cells to run, in order; `nil` runs the whole grid.
    ///   - progress: one event per cell start, stage step, finish or skip, with an ETA.
    ///   - warn: one line per failed cell or skipped image.
    /// - Throws: ``ResultsDatabaseError`` when the database cannot be written; ``BenchmarkConfigError``
    ///   for a config that cannot run. A failing cell is reported in the summary instead.
    public func run(_ cells: [BenchmarkCell]? = nil, progress: BenchmarkProgress? = nil,
                    warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> Summary {
        let started = ContinuousClock.now
        let cells = cells ?? grid.cells
        try database.setConfig(grid.config)
        let digest = try ConfigDigest.of(grid.config).digest
        let done = try database.completedCells()
        var summary = Summary()
        var session = RunSession(config: grid.config, warn: warn)
        var clock = BenchmarkClock(total: cells.count)
        for (index, cell) in cells.enumerated() {
            let fingerprint = try session.fingerprint(of: cell.dataset)
            if done[cell.key] == fingerprint {
                summary.skipped += 1
                clock.skip()
                progress?(BenchmarkEvent(cell: cell, index: index, total: cells.count, kind: .skipped, clock: clock))
                continue
            }
            progress?(BenchmarkEvent(cell: cell, index: index, total: cells.count, kind: .started, clock: clock))
            let cellStarted = ContinuousClock.now
            let stage: FitProgress = { [clock] name, stepDone, stepTotal in
                progress?(BenchmarkEvent(cell: cell, index: index, total: cells.count, kind: .stage(name, stepDone, stepTotal), clock: clock))
            }
            do {
                var (facts, records) = try session.measure(cell, stage: stage)
                facts.wallSeconds = cellStarted.secondsElapsed
                try database.insert(cell: BenchmarkCellRun(cell: cell, fingerprint: fingerprint, configDigest: digest, facts: facts),
                                    records: records)
                summary.ran += 1
                summary.methodSeconds += facts.fitSeconds + facts.scoreSeconds + facts.explainSeconds
                clock.finish(seconds: cellStarted.secondsElapsed)
                progress?(BenchmarkEvent(cell: cell, index: index, total: cells.count, kind: .finished(facts.note), clock: clock))
            } catch let error as ResultsDatabaseError {
                throw error
            } catch {
                summary.failures.append("\(cell.label): \(error)")
                warn("\(cell.label) failed: \(error)")
                clock.finish(seconds: cellStarted.secondsElapsed)
            }
        }
        summary.wallSeconds = started.secondsElapsed
        return summary
    }
}

/// What one run keeps between cells: loaded data sets, their fingerprints, the fitted model of
/// the current detector.
struct RunSession {
    let config: BenchmarkConfig
    let warn: @Sendable (String) -> Void
    private var datasets: [String: Dataset] = [:]
    private var fingerprints: [String: String] = [:]
    /// The last fitted model, by ``BenchmarkCell/modelKey``: the grid's order puts its cells together.
    private var fitted: (key: String, model: FittedModel)?

    init(config: BenchmarkConfig, warn: @escaping @Sendable (String) -> Void) {
        (self.config, self.warn) = (config, warn)
    }

    func entry(_ name: String) throws -> BenchmarkConfig.DatasetEntry {
        guard let entry = config.datasets.first(where: { $0.name == name }) else {
            throw BenchmarkConfigError(file: config.name, problems: ["no dataset named '\(name)'"])
        }
        return entry
    }

    mutating func fingerprint(of name: String) throws -> String {
        if let known = fingerprints[name] { return known }
        let entry = try entry(name)
        let fingerprint = try DataFingerprint.of(URL(fileURLWithPath: entry.path)) + entry.subsetFingerprint
        fingerprints[name] = fingerprint
        return fingerprint
    }

    mutating func dataset(_ name: String) throws -> Dataset {
        if let known = datasets[name] { return known }
        let entry = try entry(name)
        let dataset = entry.subset(of: try DatasetFormats.load(URL(fileURLWithPath: entry.path), format: entry.format))
        datasets[name] = dataset
        return dataset
    }

    /// Measures `cell`: its facts (times, memory, provenance) and records.
    mutating func measure(_ cell: BenchmarkCell, stage: @escaping FitProgress) throws -> (BenchmarkCellRun.Facts, [BenchmarkRecord]) {
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let dataset = try dataset(cell.dataset)
        var fitSeconds = 0.0
        if fitted?.key != cell.modelKey {
            fitted = nil   // frees the previous model before the next is fitted
            let fitting = ModelFitting(detector: cell.detector, preprocessing: Preprocessing(imageSize: Size2(config.imageSize)),
                                       options: try OptionOverrides(json: cell.detectorOptions),
                                       training: TrainingSettings(seed: cell.seed))
            let model = try fitting.fit(on: dataset.train, weightsPath: config.weights, progress: stage, warn: warn)
            fitSeconds = model.seconds
            fitted = (cell.modelKey, model)
        }
        guard let model = fitted?.model else { throw BenchmarkDataError("\(cell.label): no fitted model") }
        let measurement = CellMeasurement(cell: cell, traits: try entry(cell.dataset).traits, preset: config.preset,
                                          bootstrap: Bootstrap(resamples: config.bootstrapResamples, seed: cell.seed),
                                          pixelResamples: config.preset.pixelBootstrapResamples)
        var facts = BenchmarkCellRun.Facts(preset: config.preset.rawValue, xadkitVersion: SavedModel.xadkitVersion,
                                           gitCommit: SourceVersion.gitCommit, machine: Machine.current.description, startedAt: startedAt,
                                           wallSeconds: 0, fitSeconds: fitSeconds, scoreSeconds: 0, explainSeconds: 0, peakMemoryMB: 0)
        var records: [BenchmarkRecord] = []
        if let explainer = cell.explainer {
            (facts.explainSeconds, facts.note, records) = try explain(cell, explainer, model: model, dataset: dataset,
                                                                      measurement: measurement, stage: stage)
        } else {
            let evaluator = Evaluator()
            let evaluation = try evaluator.evaluation(of: model.model, on: dataset, progress: stage, warn: warn)
            facts.scoreSeconds = evaluation.report.timing.scoringSeconds
            records = try measurement.detection(evaluation, fprLimit: evaluator.fprLimit)
            records.append(measurement.record(BenchmarkMeasure.fitSeconds, model.seconds, images: model.trainingImages))
            records.append(measurement.record(BenchmarkMeasure.scoreMilliseconds, 1000 * facts.scoreSeconds / Double(evaluation.images.count),
                                              images: evaluation.images.count))
        }
        facts.peakMemoryMB = SourceVersion.peakMemoryMB
        if !records.isEmpty { records.append(measurement.record(BenchmarkMeasure.peakMemoryMB, facts.peakMemoryMB, images: 0)) }
        return (facts, records)
    }

    /// The explainer cell: seconds, a note when the explainer does not apply, the records.
    private func explain(_ cell: BenchmarkCell, _ name: String, model: FittedModel, dataset: Dataset, measurement: CellMeasurement,
                         stage: @escaping FitProgress) throws -> (Double, String?, [BenchmarkRecord]) {
        let context = ExplanationContext(normalImages: model.model.trainingImages)
        let configured = try Explainers.named(name, options: try OptionOverrides(json: cell.explainerOptions ?? "{}"))
        guard let explainer = Explainers.configured([configured], with: context).first else { return (0, nil, []) }
        if let unmet = explainer.unmetNeeds(of: model.model.detector) { return (0, "not applicable: \(unmet)", []) }
        let images = try DefectImages(limit: config.images ?? config.preset.images, spreadOver: dataset).load(from: dataset)
        var evaluation = config.qualityEvaluation(seed: cell.seed)
        if model.model.detector.setup.backbone == DetectorSetup.noBackbone { evaluation.randomisation = nil }
        let variants = hasSignedMaps(explainer) ? [(explainer, ":signed"), (absoluteMaps(explainer), ":abs")] : [(explainer, "")]
        let started = ContinuousClock.now
        var records: [BenchmarkRecord] = [], seconds = 0.0
        do {
            for (variant, suffix) in variants {
                let report = try evaluation.evaluate(variant, detector: model.model.detector, images: images) { done, total in
                    stage("explaining\(suffix)", done, total)
                }
                seconds += report.secondsPerImage * Double(images.count)
                records += measurement.explanation(report, measures: config.resolvedMeasures, suffix: suffix)
            }
        } catch let error as ExplainerError {
            return (started.secondsElapsed, "not applicable: \(error)", [])
        }
        records.append(measurement.record(BenchmarkMeasure.explainMilliseconds, 1000 * seconds / Double(images.count * variants.count),
                                          images: images.count))
        // Measuring (deletion curves, randomised re-explanations) is the method's work too.
        return (started.secondsElapsed, nil, records)
    }
}
