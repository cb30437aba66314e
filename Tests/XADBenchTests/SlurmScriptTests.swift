import Foundation
import Testing
@testable import XADBench

/// The Slurm scripts of `xad benchmark slurm` run by bash as sbatch would run them, with a stand-in
/// `xad` that records its arguments, and the message when no Slurm answers. No Slurm needed.
@Suite("Slurm scripts")
struct SlurmScriptTests {
    /// A folder whose name has a space and a quote, as a user's might.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slurm it's \(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An executable shell script at `url` with `body`.
    static func script(_ url: URL, _ body: String) throws {
        try Data("#!/bin/bash\n\(body)\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    /// Runs `bash script` with `environment` added and returns its exit status.
    static func bash(_ script: String, environment: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("task i runs shard i/n into its own database, and the merge job reads every shard; paths survive the shell")
    func scriptsRunAsWritten() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let recorder = folder.appendingPathComponent("fake xad")
        let argumentsFile = folder.appendingPathComponent("arguments")
        try Self.script(recorder, "printf '%s\\n' \"$@\" > \(SlurmArrayJob.quote(argumentsFile.path))")
        let config = folder.appendingPathComponent("grid $1.yaml").path
        let job = try SlurmArrayJob(config: config, shards: 3, databaseFolder: folder.appendingPathComponent("db").path,
                                    xad: recorder.path, partition: "cpu", timeLimit: "1:00:00", coresPerTask: 2)
        let scripts = try job.write()

        let array = try String(contentsOfFile: scripts.array, encoding: .utf8)
        for directive in ["#SBATCH --array=0-2", "#SBATCH --partition=cpu", "#SBATCH --time=1:00:00", "#SBATCH --cpus-per-task=2",
                          "#SBATCH --output=\(folder.path)/db/logs/shard-%a.log"] {
            #expect(array.contains(directive + "\n"), "missing \(directive)")
        }
        #expect(try Self.bash(scripts.array, environment: ["SLURM_ARRAY_TASK_ID": "1"]) == 0)
        let db = folder.appendingPathComponent("db").path
        #expect(try String(contentsOf: argumentsFile, encoding: .utf8)
            == ["benchmark", "run", config, "--shard", "1/3", "--db", "\(db)/shard-1.db", "--progress", "plain", ""].joined(separator: "\n"))

        #expect(try Self.bash(scripts.merge) == 0)
        #expect(try String(contentsOf: argumentsFile, encoding: .utf8)
            == (["benchmark", "merge", "--out", "\(db)/merged.db"] + (0..<3).map { "\(db)/shard-\($0).db" } + [""]).joined(separator: "\n"))
        #expect(job.submitCommands(scripts).contains("--dependency=afterok:${array%%;*}"))
    }

    @Test("an unreachable Slurm is a usage error naming the local fallback, shards in sequence")
    func unreachable() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sbatch = folder.appendingPathComponent("sbatch")
        // What Slurm 22.05's sbatch prints when slurmctld is down.
        try Self.script(sbatch, "echo 'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)' >&2; exit 1")
        let job = try SlurmArrayJob(config: "grid.yaml", shards: 2, databaseFolder: folder.path, xad: "xad")
        #expect {
            try SlurmSubmission.submit(job, scripts: try job.write(), sbatch: sbatch.path)
        } throws: { error in
            let text = (error as? SlurmError)?.description ?? ""
            return (error as? SlurmError)?.exitStatus == .usage && text.contains("Slurm is not reachable")
                && text.contains("Unable to contact slurm controller")
                && text.contains("for i in $(seq 0 1); do 'xad' benchmark run") && text.contains("--shard $i/2")
                && text.contains("'xad' benchmark merge --out")
        }
        #expect(throws: SlurmError.invalidJob("--shards must be at least 1, got 0")) {
            try SlurmArrayJob(config: "grid.yaml", shards: 0, databaseFolder: folder.path, xad: "xad")
        }
    }
}
