import Foundation
import Testing
import XADData
import XADDetect
import XADTestSupport
@testable import XADBench

/// A small grid run end to end on the synthetic data set: PaDiM (two layers, 20 channels) with
/// a signed, a gradient and a perturbation explainer on two defect images; resumed, sharded and
/// merged. Seconds, not minutes.
@Suite("Benchmark run", .serialized)
struct BenchmarkRunTests {
    static let data: Result<SyntheticDataset, any Error> = Result { try SyntheticDataset() }

    static func config(_ data: SyntheticDataset) -> BenchmarkConfig {
        BenchmarkConfig(name: "synthetic", imageSize: 64, images: 2, bootstrapResamples: 200,
                        datasets: [.init(name: "stripes", path: data.root.path, format: "folder",
                                         traits: .init(modality: .image, content: .texture))],
                        detectors: [.init("padim", options: OptionOverrides(["channels": .number(20)]))],
                        explainers: [.init("saliency"), .init("gradient-x-input"), .init("occlusion", options: OptionOverrides(["window": .number(16), "stride": .number(16)]))],
                        measures: ["deletion_auc", "pointing_game", "aupro", "randomisation"])
    }

    static func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-run-\(UUID().uuidString)-\(name)").path
    }

    /// The figures without the costs (times and memory differ from run to run).
    static func figures(_ records: [BenchmarkRecord]) -> [BenchmarkRecord] {
        let costs: Set = [BenchmarkMeasure.fitSeconds, BenchmarkMeasure.scoreMilliseconds, BenchmarkMeasure.explainMilliseconds,
                          BenchmarkMeasure.peakMemoryMB]
        return records.filter { !costs.contains($0.measure) }
            .sorted { ($0.detector, $0.explainer ?? "", $0.measure) < ($1.detector, $1.explainer ?? "", $1.measure) }
    }

    @Test func aGridRunsResumesAndTwoMergedShardsEqualTheWholeRun() throws {
        let data = try Self.data.get()
        var grid = try BenchmarkGrid(Self.config(data))
        grid = try BenchmarkGrid(Self.config(data))   // the same config gives the same cells
        #expect(grid.cells.count == 4)

        let whole = try ResultsDatabase(path: Self.path("whole.db"))
        let events = EventLog()
        let summary = try BenchmarkRunner(grid: grid, database: whole).run(progress: { events.append($0) })
        #expect(summary.ran == 4 && summary.skipped == 0 && summary.failures.isEmpty, "\(summary.failures)")
        let records = try whole.records()

        // Detection figures with intervals around them; bootstrap intervals contain the value.
        let auroc = try #require(records.first { $0.measure == BenchmarkMeasure.imageAUROC })
        let interval = try #require(auroc.interval)
        let testImages = try DatasetFormats.load(data.root, format: "folder").test.count
        #expect(interval.contains(auroc.value) && auroc.preset == "quick" && auroc.images == testImages)
        #expect(records.contains { $0.measure == BenchmarkMeasure.aupro && $0.explainer == nil })
        // The signed method is measured twice, labelled; the others once.
        let gradientTimesInput = Set(records.filter { $0.explainer == "gradient-x-input" }.map(\.measure))
        #expect(gradientTimesInput.isSuperset(of: ["deletion_auc:signed", "deletion_auc:abs", "pointing_game:abs"]))
        #expect(records.contains { $0.explainer == "saliency" && $0.measure == "randomisation" })
        #expect(records.allSatisfy { ($0.interval?.contains($0.value) ?? true) })
        // Facts: provenance and costs.
        let runs = try whole.cellRuns()
        #expect(runs.count == 4 && runs.allSatisfy { $0.facts.preset == "quick" && $0.facts.peakMemoryMB > 0 && $0.fingerprint.hasPrefix("sha256:") })
        #expect(runs.filter { $0.facts.fitSeconds > 0 }.count == 1)   // fitted once, reused by the explainer cells
        // Progress: every cell started and finished, with an ETA after the first.
        #expect(events.lines.filter { $0.contains(": done") }.count == 4)
        #expect(events.lines.last?.contains("ETA") == true)

        // A rerun skips every cell.
        let again = try BenchmarkRunner(grid: grid, database: whole).run()
        #expect(again.ran == 0 && again.skipped == 4)

        // Two shards merged give the whole run's figures.
        let shardPaths = [Self.path("s0.db"), Self.path("s1.db")]
        for (index, path) in shardPaths.enumerated() {
            let shard = try ResultsDatabase(path: path)
            #expect(try BenchmarkRunner(grid: grid, database: shard).run(try grid.shard(index, of: 2)).ran == 2)
        }
        let merged = Self.path("merged.db")
        try ResultsDatabase.merge(shardPaths, into: merged)
        #expect(Self.figures(try ResultsDatabase(path: merged).records()) == Self.figures(records))

        // The leaderboard ranks the pairs of this run.
        let board = Leaderboard(records: records, title: "synthetic")
        #expect(board.tables[0].rows.map(\.method) == [#"padim {"channels":20}"#])
        #expect(board.tables[1].rows.count == 4, "\(board.tables[1].rows.map(\.method))")   // saliency, occlusion, gradient x input signed and |map|
    }
}

/// Collects a run's progress lines (events arrive on the running thread).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ event: BenchmarkEvent) { lock.withLock { stored.append(event.line) } }
    var lines: [String] { lock.withLock { stored } }
}
