import Foundation
import XADImage

/// A benchmark grid as a Slurm array job: task `i` of `n` runs
/// `xad benchmark run CONFIG --shard i/n --db DIR/shard-i.db`, and a merge job, submitted with
/// `--dependency=afterok:<array job id>`, combines the shard databases with `xad benchmark merge`
/// once every task has succeeded.
///
/// The scripts hold absolute paths only, so they run from any folder of a cluster that sees the
/// same files (the config, the results folder and the `xad` executable on a shared file system).
///
/// ```swift
/// let job = try SlurmArrayJob(config: "grid.yaml", shards: 4, databaseFolder: "results", xad: "/opt/xad/bin/xad")
/// let files = try job.write()          // results/benchmark-array.sbatch, results/benchmark-merge.sbatch
/// print(job.submitCommands(files))      // the two sbatch lines a user runs
/// ```
public struct SlurmArrayJob: Hashable, Sendable {
    /// The benchmark config (absolute path).
    public var config: String
    /// The number of array tasks (shards), at least 1.
    public var shards: Int
    /// The folder of the shard databases, the merged database, the scripts and the logs (absolute).
    public var databaseFolder: String
    /// The `xad` executable the tasks run (absolute, or a bare name found on the nodes' `PATH`).
    public var xad: String
    /// The Slurm partition, `nil` for the cluster's default.
    public var partition: String?
    /// The wall-time limit per task in any form `sbatch --time` takes (`30`, `2:00:00`, `1-0`), `nil` for the partition's default.
    public var timeLimit: String?
    /// Cores per task, `nil` for Slurm's default (one).
    public var coresPerTask: Int?

    /// The two scripts a job writes.
    public struct Scripts: Hashable, Sendable {
        /// The array job: one task per shard.
        public var array: String
        /// The merge job, run after every task succeeded.
        public var merge: String
    }

    /// A job; relative paths are made absolute against the current folder.
    /// - Throws: ``SlurmError/invalidJob(_:)`` for fewer than one shard or fewer than one core.
    public init(config: String, shards: Int, databaseFolder: String, xad: String,
                partition: String? = nil, timeLimit: String? = nil, coresPerTask: Int? = nil) throws {
        guard shards >= 1 else { throw SlurmError.invalidJob("--shards must be at least 1, got \(shards)") }
        if let coresPerTask, coresPerTask < 1 {
            throw SlurmError.invalidJob("--cpus-per-task must be at least 1, got \(coresPerTask)")
        }
        self.config = Self.absolute(config)
        self.shards = shards
        self.databaseFolder = Self.absolute(databaseFolder)
        self.xad = xad.contains("/") ? Self.absolute(xad) : xad
        self.partition = partition
        self.timeLimit = timeLimit
        self.coresPerTask = coresPerTask
    }

    /// The shard databases, in task order.
    public var shardDatabases: [String] { (0..<shards).map { path("shard-\($0).db") } }

    /// The merged database the merge job writes.
    public var mergedDatabase: String { path("merged.db") }

    /// The array job's script: `#SBATCH` lines, then one `xad benchmark run` per task.
    public var arrayScript: String {
        script(name: "xad-benchmark", extra: ["--array=0-\(shards - 1)", "--output=\(path("logs/shard-%a.log"))"], body: [
            Self.quote(xad), "benchmark", "run", Self.quote(config),
            "--shard", "\"$SLURM_ARRAY_TASK_ID/\(shards)\"",
            "--db", "\"\(Self.escapeForDoubleQuotes(databaseFolder))/shard-$SLURM_ARRAY_TASK_ID.db\"",
            "--progress", "plain",
        ])
    }

    /// The merge job's script: `xad benchmark merge` over every shard database.
    public var mergeScript: String {
        script(name: "xad-benchmark-merge", extra: ["--output=\(path("logs/merge.log"))"],
               body: [Self.quote(xad), "benchmark", "merge", "--out", Self.quote(mergedDatabase)] + shardDatabases.map(Self.quote))
    }

    /// Writes both scripts into ``databaseFolder`` (created with its `logs` folder), each atomically.
    /// - Throws: `FileWriteError` naming a script that cannot be written.
    @discardableResult
    public func write() throws -> Scripts {
        try FileManager.default.createDirectory(atPath: path("logs"), withIntermediateDirectories: true)
        let scripts = Scripts(array: path("benchmark-array.sbatch"), merge: path("benchmark-merge.sbatch"))
        try AtomicFile.write(Data(arrayScript.utf8), to: URL(fileURLWithPath: scripts.array))
        try AtomicFile.write(Data(mergeScript.utf8), to: URL(fileURLWithPath: scripts.merge))
        return scripts
    }

    /// The shell lines that submit `scripts`: the array job, then the merge job depending on it.
    public func submitCommands(_ scripts: Scripts) -> String {
        """
        array=$(sbatch --parsable \(Self.quote(scripts.array)))
        sbatch --dependency=afterok:${array%%;*} \(Self.quote(scripts.merge))
        """
    }

    /// The same work on this machine, shard after shard, for when no Slurm is reachable.
    public var localFallback: String {
        "for i in $(seq 0 \(shards - 1)); do \(Self.quote(xad)) benchmark run \(Self.quote(config)) "
            + "--shard $i/\(shards) --db \"\(Self.escapeForDoubleQuotes(databaseFolder))/shard-$i.db\"; done && "
            + ([Self.quote(xad), "benchmark", "merge", "--out", Self.quote(mergedDatabase)] + shardDatabases.map(Self.quote))
            .joined(separator: " ")
    }

    private func script(name: String, extra: [String], body: [String]) -> String {
        var directives = ["--job-name=\(name)"] + extra
        if let partition { directives.append("--partition=\(partition)") }
        if let timeLimit { directives.append("--time=\(timeLimit)") }
        if let coresPerTask { directives.append("--cpus-per-task=\(coresPerTask)") }
        return (["#!/bin/bash"] + directives.map { "#SBATCH \($0)" } + [
            "# Written by `xad benchmark slurm`; submit with the commands it printed.",
            "set -euo pipefail",
            "exec " + body.joined(separator: " "),
        ]).joined(separator: "\n") + "\n"
    }

    private func path(_ name: String) -> String { (databaseFolder as NSString).appendingPathComponent(name) }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `text` as one shell word, in single quotes (a quote inside is closed, escaped and reopened).
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `text` safe inside double quotes, where `$SLURM_ARRAY_TASK_ID` must still expand.
    private static func escapeForDoubleQuotes(_ text: String) -> String {
        text.reduce(into: "") { escaped, character in
            if "\"$`\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
    }
}
