import Foundation
import Testing
import XADTestSupport
@testable import XADBench

/// `xad benchmark` as users run it: the example config, every config problem at once, a run
/// killed with SIGKILL that keeps what it finished, the resume, and the leaderboard files.
@Suite("xad benchmark", .serialized)
struct BenchmarkCommandTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-benchmark-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func initWritesTheCommentedExampleAndRefusesToOverwrite() throws {
        let file = try Self.folder().appendingPathComponent("grid.yaml")
        #expect(try XADProcess.run(["benchmark", "init", file.path]).status == 0)
        #expect(try String(contentsOf: file, encoding: .utf8) == BenchmarkConfig.exampleYAML)
        let again = try XADProcess.run(["benchmark", "init", file.path])
        #expect(again.status == 1 && again.stderr.contains("exists"))
    }

    @Test func aBadConfigFailsWithEveryProblemBeforeAnythingRuns() throws {
        let folder = try Self.folder()
        let config = folder.appendingPathComponent("bad.yaml")
        try Data("datasets: [{name: d, path: nowhere, traits: {modality: image, content: texture}}]\ndetectors: [nope]\nexplainers: [rise, nah]\n".utf8)
            .write(to: config)
        let db = folder.appendingPathComponent("r.db")
        let outcome = try XADProcess.run(["benchmark", "run", config.path, "--db", db.path])
        #expect(outcome.status == 1)
        for problem in ["3 problems", "no folder at", "detector 'nope'", "explainer 'nah'"] {
            #expect(outcome.stderr.contains(problem), "\(problem) missing: \(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: db.path))
    }

    @Test func aRunKilledWithSIGKILLKeepsItsFinishedCellsAndTheRerunDoesTheRest() throws {
        let data = try SyntheticDataset()
        defer { data.remove() }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("grid.yaml"), db = folder.appendingPathComponent("results.db")
        try Data("""
            name: killed
            imageSize: 64
            images: 2
            bootstrapResamples: 100
            datasets: [{name: stripes, path: \(data.root.path), format: folder, traits: {modality: image, content: texture}}]
            detectors: [{name: padim, options: {channels: 20}}]
            explainers: [saliency, gradient-x-input, grad-cam, occlusion, integrated-gradients, rise]
            measures: [deletion_auc, pointing_game]

            """.utf8).write(to: config)
        let cells = 7
        let executable = try #require(XADProcess.executable)
        let log = folder.appendingPathComponent("progress.log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["benchmark", "run", config.path, "--db", db.path, "--progress", "plain"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        // Kill it once two cells are stored, in the middle of the run.
        let deadline = Date().addingTimeInterval(300)
        var seen = 0
        while process.isRunning && Date() < deadline {
            seen = (try? ResultsDatabase(path: db.path).completedCells().count) ?? 0
            if seen >= 2 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        // Intact: it opens, and every stored cell reads back with its figures.
        let database = try ResultsDatabase(path: db.path)
        let kept = try database.completedCells().count
        #expect(kept >= seen && kept < cells)
        #expect(try database.cellRuns().count == kept)
        #expect(Set(try database.records().map { $0.explainer ?? "-" }).count == kept)
        // Progress reached the log (stderr is a file, not a terminal).
        let progress = try String(contentsOf: log, encoding: .utf8)
        #expect(progress.contains("[1/7") && progress.contains(": done"), "\(progress)")

        // The rerun skips every kept cell and runs only the rest: at most the killed cell was lost.
        let rerun = try XADProcess.run(["benchmark", "run", config.path, "--db", db.path, "--progress", "none", "--json", "-"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any])
        #expect(summary["skipped"] as? Int == kept && summary["ran"] as? Int == cells - kept, "\(summary)")

        let out = folder.appendingPathComponent("board")
        let board = try XADProcess.run(["benchmark", "leaderboard", "--db", db.path, "--out", out.path])
        #expect(board.status == 0)
        #expect(board.lines.map { URL(fileURLWithPath: $0).lastPathComponent } == ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "index.html"])
        #expect(try String(contentsOf: out.appendingPathComponent("leaderboard.md"), encoding: .utf8).hasPrefix("# killed"))
    }
}
