import Foundation
import Testing
import XADBench

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

    @Test("the array tasks run their shards and the merge job runs after all of them",
          .enabled(if: shouldRun, "no Slurm answers here (scripts/slurm-local.sh start, as root)"))
    func arrayThenMerge() throws {
        #expect(Self.slurmAnswers, "Slurm did not start: see scripts/slurm-local.sh and /tmp/xad-slurm/*.log")
        guard Self.slurmAnswers else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A stand-in for xad: `benchmark run CONFIG --shard i/n --db PATH ...` writes its shard
        // after a second (so that the tasks overlap); `benchmark merge --out OUT SHARDS...` joins them.
        let standIn = folder.appendingPathComponent("xad")
        try Data("""
            #!/bin/bash
            set -e
            case "$2" in
              run) sleep 1; echo "shard $5" > "$7" ;;
              merge) out="$4"; shift 4; cat "$@" > "$out" ;;
            esac

            """.utf8).write(to: standIn)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
        let job = try SlurmArrayJob(config: folder.appendingPathComponent("grid.yaml").path, shards: 3,
                                    databaseFolder: folder.appendingPathComponent("results").path, xad: standIn.path)
        let submission = try SlurmSubmission.submit(job, scripts: try job.write())
        #expect(try Self.waitForJobs([submission.arrayJob, submission.mergeJob], seconds: 60), "jobs still queued after 60 s")
        // The merge job read every shard: it ran after all three tasks had written theirs.
        #expect(try String(contentsOfFile: job.mergedDatabase, encoding: .utf8) == "shard 0/3\nshard 1/3\nshard 2/3\n")
    }
}
