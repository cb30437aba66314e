import ArgumentParser
import Foundation
import XADBench

/// `xad benchmark`: a grid of data sets x detectors x explainers measured into a results
/// database, sharded, merged and ranked.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Run a benchmark grid (datasets x detectors x explainers) into a results database, and rank it.",
        discussion: """
            The grid is a YAML (or JSON) config; 'xad benchmark init' writes a commented example. \
            Each finished cell is one transaction in a SQLite database, so a killed run loses at \
            most the cell in progress and a rerun skips the cells already measured on the same data. \
            --shard i/n runs a deterministic part of the grid (for n machines or a Slurm array); \
            'merge' combines the shards' databases; 'leaderboard' writes Markdown, CSV, JSON and an \
            HTML page.

            Example:
              xad benchmark init grid.yaml
              xad benchmark run grid.yaml --db results.db
              xad benchmark run grid.yaml --db shard0.db --shard 0/2
              xad benchmark merge --out results.db shard0.db shard1.db
              xad benchmark leaderboard --db results.db --out leaderboard
            """,
        subcommands: [Init.self, Run.self, Merge.self, LeaderboardCommand.self, BenchmarkSlurmCommand.self]
    )

    /// `xad benchmark init [FILE]`: the commented example config.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a commented example config (to stdout without FILE).")

        @Argument(help: "The config file to write (refused when it exists).")
        var file: String?

        func run() throws {
            guard let file else { return print(BenchmarkConfig.exampleYAML, terminator: "") }
            guard !FileManager.default.fileExists(atPath: file) else { throw CommandError.usage("\(file) exists; give a new file name") }
            try checkWritable(file, option: "FILE")
            try writeAtomically(Data(BenchmarkConfig.exampleYAML.utf8), to: file, what: "benchmark config")
        }
    }

    /// `xad benchmark run CONFIG --db PATH [--shard i/n]`.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the grid's cells not yet in the database.")

        @Argument(help: "The grid config (YAML, or JSON when it ends in .json).")
        var config: String

        @Option(help: "The results database (created when missing; a rerun resumes it).")
        var db: String

        @Option(help: ArgumentHelp("Run only shard i of n (0-based): a contiguous part of the grid.", valueName: "i/n"))
        var shard: String?

        @Option(help: "Progress on stderr: plain (lines, also in a log), bar (a terminal line) or none (default: bar on a terminal, plain otherwise).")
        var progress: ProgressStyle?

        @OptionGroup var output: JSONOutputOptions

        func run() throws {
            try output.checkDestination()
            let parsed = try BenchmarkConfig.load(URL(fileURLWithPath: config))
            try parsed.validate(file: config)
            let grid = try BenchmarkGrid(parsed)
            var cells = grid.cells
            if let shard {
                let (index, count) = try Self.shardIndex(shard)
                cells = try grid.shard(index, of: count)
            }
            let runner = BenchmarkRunner(grid: grid, database: try ResultsDatabase(path: db))
            let printer = ProgressOutput(progress ?? .automatic)
            let console = Console(quiet: false)
            let summary = try runner.run(cells, progress: printer.benchmark, warn: console.warn)
            try output.publish(summary, text: String(format: "%d cells run, %d already done, %d failed; %.1f s wall, platform overhead %.1f%%",
                                                     summary.ran, summary.skipped, summary.failures.count, summary.wallSeconds,
                                                     100 * summary.overheadShare))
            if !summary.failures.isEmpty { throw CommandError.data("\(summary.failures.count) cells failed; rerun to retry them") }
        }

        /// `i/n` as numbers, checked.
        static func shardIndex(_ text: String) throws -> (index: Int, count: Int) {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
                throw CommandError.usage("--shard takes i/n with 0 <= i < n, e.g. 0/4; got '\(text)'")
            }
            return (parts[0], parts[1])
        }
    }

    /// `xad benchmark merge --out PATH SHARD.db...`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Combine shard databases of one grid (refuses shards of different configs).")

        @Option(help: "The merged database (created, or extended when it holds the same grid).")
        var out: String

        @Argument(help: "The shards' databases.")
        var shards: [String]

        func run() throws {
            guard !shards.isEmpty else { throw CommandError.usage("give the shard databases to merge") }
            try ResultsDatabase.merge(shards, into: out)
            print("\(try ResultsDatabase(path: out).completedCells().count) cells in \(out)")
        }
    }

    /// `xad benchmark leaderboard --db PATH --out DIR`.
    struct LeaderboardCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "leaderboard", abstract: "Rank a results database: Markdown, CSV, JSON and an HTML page.")

        @Option(help: "The results database.")
        var db: String

        @Option(help: "The folder for leaderboard.md, leaderboard.csv, leaderboard.json and index.html.")
        var out: String

        @Option(help: "The leaderboard's title (default: the grid's name).")
        var title: String?

        func run() throws {
            guard FileManager.default.fileExists(atPath: db) else { throw CommandError.data("\(db): no such results database") }
            let database = try ResultsDatabase(path: db)
            let name = try database.gridName()
            let board = Leaderboard(records: try database.records(), title: title ?? name ?? "benchmark")
            for file in try board.write(to: URL(fileURLWithPath: out)) { print(file.path) }
        }
    }
}
