import ArgumentParser
import Foundation
import XADBench

/// `xad benchmark slurm`: a benchmark grid as a Slurm array job (one task per shard) and a
/// dependent merge job.
struct BenchmarkSlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and optionally submit) a benchmark grid as a Slurm array job and a dependent merge job.",
        discussion: """
            Writes DB_DIR/benchmark-array.sbatch, whose task i of n runs `xad benchmark run CONFIG \
            --shard i/n --db DB_DIR/shard-i.db`, and DB_DIR/benchmark-merge.sbatch, which merges the \
            shards into DB_DIR/merged.db once every task has succeeded (--dependency=afterok). Prints \
            the sbatch commands that submit both, or submits them with --submit. The scripts name \
            absolute paths: on a cluster, keep the config, DB_DIR and the xad executable on a file \
            system every node sees. Task logs go to DB_DIR/logs.

            Example:
              xad benchmark slurm grid.yaml --shards 4 --db-dir results --partition cpu --time 2:00:00
              xad benchmark slurm grid.yaml --shards 4 --db-dir results --submit
            """
    )

    @Argument(help: "The benchmark config (YAML or JSON).")
    var config: String

    @Option(help: "The number of array tasks; task i runs shard i of n.")
    var shards: Int

    @Option(help: "The folder for the shard databases, the merged database, the scripts and the logs (created).")
    var dbDir: String

    @Option(help: "The Slurm partition (default: the cluster's default).")
    var partition: String?

    @Option(help: "The wall-time limit per task, as sbatch --time takes it, e.g. 2:00:00 (default: the partition's).")
    var time: String?

    @Option(help: "Cores per task (default: Slurm's, one).")
    var cpusPerTask: Int?

    @Option(help: "The xad executable the tasks run (default: this one).")
    var xad: String?

    @Flag(help: "Submit both jobs with sbatch instead of printing the commands.")
    var submit = false

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: config) else {
            throw CommandError.data("\(config): no such benchmark config (or it cannot be read)")
        }
        let executable = xad ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        let job = try SlurmArrayJob(config: config, shards: shards, databaseFolder: dbDir, xad: executable,
                                    partition: partition, timeLimit: time, coresPerTask: cpusPerTask)
        let scripts = try job.write()
        if submit {
            let submission = try SlurmSubmission.submit(job, scripts: scripts)
            print("array job \(submission.arrayJob) (\(shards) tasks), merge job \(submission.mergeJob) -> \(job.mergedDatabase)")
            return
        }
        print(job.submitCommands(scripts))
        if !SlurmSubmission.sbatchInstalled {
            FileHandle.standardError.write(Data("""
                xad benchmark slurm: sbatch is not on PATH here; submit from a Slurm login node, or run the shards \
                here in sequence: \(job.localFallback)

                """.utf8))
        }
    }
}
