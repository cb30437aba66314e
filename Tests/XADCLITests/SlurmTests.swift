import Foundation
import Testing
import XADBench
import XADTestSupport

/// `xad benchmark slurm`'s scripts submitted to a real Slurm: the one-node cluster that
/// `scripts/slurm-local.sh start` runs (`make test` starts it as root). Without a Slurm the suite
/// is skipped, except under `CI=true`, where it fails.
@Suite("Slurm array job on the local cluster", .serialized)
struct SlurmTests {
    /// Whether a Slurm node answers and accepts jobs.
    static let slurmAnswers: Bool = {
        guard let states = try? command("/usr/bin/sinfo", ["-h", "-o", "%T"]) else { return false }
        return states.split(separator: "\n").contains { ["idle", "mixed", "allocated"].contains(String($0)) }
    }()

    static let shouldRun = slurmAnswers || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs `executable arguments...` and returns its stdout; throws on a non-zero exit.
    @discardableResult
    static func command(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) exited \(process.terminationStatus)"])
        }
        return text
    }

    /// Waits until Slurm lists none of `jobs` (all finished), at most `seconds`.
    static func waitForJobs(_ jobs: [String], seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try command("/usr/bin/squeue", ["-h", "-j", jobs.joined(separator: ",")]).isEmpty { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return false
    }

    /// The measures that are costs (wall time, memory): they differ between any two runs.
    static let costs: Set<String> = [BenchmarkMeasure.fitSeconds, BenchmarkMeasure.scoreMilliseconds,
                                     BenchmarkMeasure.explainMilliseconds, BenchmarkMeasure.peakMemoryMB]

    /// A database's figures by cell and measure, costs left out.
    static func figures(_ path: String) throws -> [String: BenchmarkRecord] {
        let records = try ResultsDatabase(path: path).records().filter { !costs.contains($0.measure) }
        return Dictionary(records.map { record in
            ([record.dataset, record.detector, record.detectorOptions, record.explainer ?? "-", record.explainerOptions ?? "-",
              record.measure, String(record.seed)].joined(separator: "|"), record)
        }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a grid run as a 2-task array job and merged after both equals the unsharded run",
          .enabled(if: shouldRun, "no Slurm answers here (scripts/slurm-local.sh start, as root)"))
    func shardedOnSlurmEqualsUnsharded() throws {
        #expect(Self.slurmAnswers, "Slurm did not start: see scripts/slurm-local.sh and /tmp/xad-slurm/*.log")
        guard Self.slurmAnswers else { return }
        let data = try SyntheticDataset()
        defer { data.remove() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Four cells: PaDiM alone, then with three explainers; shard 0 and shard 1 get two each.
        let config = folder.appendingPathComponent("grid.yaml")
        try Data("""
            name: slurm
            imageSize: 64
            images: 2
            bootstrapResamples: 100
            datasets: [{name: stripes, path: \(data.root.path), format: folder, traits: {modality: image, content: texture}}]
            detectors: [{name: padim, options: {channels: 20}}]
            explainers: [saliency, grad-cam, occlusion]
            measures: [deletion_auc, pointing_game, aupro]

            """.utf8).write(to: config)
        let xad = try #require(XADProcess.executable).path
        let job = try SlurmArrayJob(config: config.path, shards: 2, databaseFolder: folder.appendingPathComponent("results").path, xad: xad)
        let submission = try SlurmSubmission.submit(job, scripts: try job.write())
        // A failed task leaves the merge job pending for ever (its dependency can never be met).
        defer { _ = try? Self.command("/usr/bin/scancel", [submission.arrayJob, submission.mergeJob]) }
        // The unsharded run on this machine while the array job runs.
        let single = folder.appendingPathComponent("single.db").path
        let run = try XADProcess.run(["benchmark", "run", config.path, "--db", single, "--progress", "none"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.waitForJobs([submission.arrayJob, submission.mergeJob], seconds: 120), "jobs still queued after 120 s")

        let logs = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("results/logs").path)) ?? []
        #expect(Set(logs) == ["shard-0.log", "shard-1.log", "merge.log"])
        let merged = try Self.figures(job.mergedDatabase), unsharded = try Self.figures(single)
        #expect(Set(merged.keys) == Set(unsharded.keys))
        #expect(Set(merged.values.map { $0.explainer ?? "-" }) == ["-", "saliency", "grad-cam", "occlusion"])
        for (key, expected) in unsharded {
            // The same computation on the same data and seeds: equal up to summation order (1e-9).
            let figure = try #require(merged[key])
            let values = [figure.value] + (figure.interval.map { [$0.lowerBound, $0.upperBound] } ?? [])
            let expectedValues = [expected.value] + (expected.interval.map { [$0.lowerBound, $0.upperBound] } ?? [])
            #expect(values.count == expectedValues.count, "\(key)")
            #expect(zip(values, expectedValues).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }, "\(key): \(values) vs \(expectedValues)")
        }

        // The guide reads the merged database: its top heat map is the explainer with the best AUPRO there.
        let guide = try XADProcess.run(["guide", "--from-results", job.mergedDatabase, "--content", "texture", "--need", "heat-map", "--top", "1"])
        #expect(guide.status == 0, "\(guide.stderr)")
        // (ties go to the first name, as the guide breaks them)
        let best = try #require(merged.values.filter { $0.measure == "aupro" && $0.explainer != nil }
            .min { ($1.value, $0.explainer ?? "") < ($0.value, $1.explainer ?? "") })
        #expect(guide.stdout.contains("ranked by aupro (higher is better) on stripes, evidence: benchmark results \(job.mergedDatabase) (grid slurm)"))
        #expect(guide.stdout.contains("1. padim + \(best.explainer ?? "")\n"), "\(guide.stdout)")
    }
}
