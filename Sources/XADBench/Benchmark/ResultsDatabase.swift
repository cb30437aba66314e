import Foundation
import GRDB
import XADTensor

/// A benchmark grid's results in SQLite (GRDB over the system libsqlite3): one `cells` row per
/// measured cell (its config, data fingerprint, XADKit version and commit, machine, times and
/// peak memory) and one `records` row per figure (``BenchmarkRecord``).
///
/// The file is in WAL mode and every write is one transaction, so a run killed at any moment
/// leaves the cells it finished intact and loses at most the cell in progress. The schema is
/// versioned by GRDB migrations; a file written by a newer XADKit (a migration this one does not
/// know) is refused rather than misread.
///
/// ```swift
/// let database = try ResultsDatabase(path: "results.db")
/// try database.insert(cell: run, records: records)
/// let done = try database.completedCells()        // cell key -> data fingerprint
/// let rows = try database.records()
/// ```
public final class ResultsDatabase: Sendable {
    /// The file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (or creates) the database at `path` and brings its schema up to date.
    /// - Throws: ``ResultsDatabaseError`` for a file from a newer schema or one that is not a
    ///   results database.
    public init(path: String) throws {
        self.path = path
        do {
            pool = try DatabasePool(path: path)
            let migrator = Self.migrator
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                let unknown = try pool.read { db in try migrator.appliedIdentifiers(db) }.subtracting(migrator.migrations).sorted()
                throw ResultsDatabaseError(path: path, problem: "was written by a newer XADKit (schema \(unknown.joined(separator: ", "))); "
                                            + "update XADKit or use another --db")
            }
            try migrator.migrate(pool)
        } catch let error as ResultsDatabaseError { throw error } catch {
            throw ResultsDatabaseError(path: path, problem: "is not a usable results database: \(error)")
        }
    }

    /// The schema's versions, oldest first; a new column is a new migration appended here.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "grid") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.create(table: "cells") { table in
                table.primaryKey("key", .text)
                table.column("cell", .text).notNull()          // BenchmarkCell as JSON
                table.column("facts", .text).notNull()         // BenchmarkCellRun.Facts as JSON
                table.column("fingerprint", .text).notNull()
                table.column("configDigest", .text).notNull()
            }
            try db.create(table: "records") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("cellId", .text).notNull().indexed().references("cells", onDelete: .cascade)
                table.column("dataset", .text).notNull()
                table.column("detector", .text).notNull()
                table.column("explainer", .text)
                table.column("measure", .text).notNull()
                table.column("value", .double).notNull()
                table.column("record", .text).notNull()        // BenchmarkRecord as JSON
            }
        }
        return migrator
    }

    /// The digest of the grid config that wrote this database, `nil` while empty.
    public func configDigest() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM grid WHERE key = 'configDigest'") }
    }

    /// The grid config that wrote this database, `nil` while empty.
    public func config() throws -> BenchmarkConfig? {
        try storedConfig().map { try JSONDecoder().decode(BenchmarkConfig.self, from: Data($0.utf8)) }
    }

    /// The grid's name, `nil` while empty.
    public func gridName() throws -> String? { try config()?.name }

    /// Records the grid config that writes this database (replacing an earlier one).
    public func setConfig(_ config: BenchmarkConfig) throws {
        let (json, digest) = try ConfigDigest.of(config)
        try store(configJSON: json, digest: digest)
    }

    private func storedConfig() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM grid WHERE key = 'config'") }
    }

    private func store(configJSON json: String, digest: String) throws {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO grid (key, value) VALUES ('config', ?), ('configDigest', ?)", arguments: [json, digest])
        }
    }

    /// The finished cells: cell key to the data fingerprint it was measured on.
    public func completedCells() throws -> [String: String] {
        try read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, fingerprint FROM cells").map { row in
                (row["key"] as String, row["fingerprint"] as String)
            })
        }
    }

    /// Every finished cell with its facts, in key order.
    public func cellRuns() throws -> [BenchmarkCellRun] {
        let decoder = JSONDecoder()
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT cell, facts, fingerprint, configDigest FROM cells ORDER BY key").map { row in
                BenchmarkCellRun(cell: try decoder.decode(BenchmarkCell.self, from: Data((row["cell"] as String).utf8)),
                                 fingerprint: row["fingerprint"], configDigest: row["configDigest"],
                                 facts: try decoder.decode(BenchmarkCellRun.Facts.self, from: Data((row["facts"] as String).utf8)))
            }
        }
    }

    /// Every record, in cell then insertion order.
    public func records() throws -> [BenchmarkRecord] {
        try cellRecords().map { $0.record }
    }

    /// Every record with its cell's key, in cell then insertion order.
    func cellRecords() throws -> [(cell: String, record: BenchmarkRecord)] {
        let decoder = JSONDecoder()
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT cellId, record FROM records ORDER BY cellId, id").map { row in
                (cell: row["cellId"] as String, record: try decoder.decode(BenchmarkRecord.self, from: Data((row["record"] as String).utf8)))
            }
        }
    }

    /// Stores a finished cell and its records in one transaction, replacing an earlier run of
    /// the same cell.
    public func insert(cell run: BenchmarkCellRun, records: [BenchmarkRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cell = String(decoding: try encoder.encode(run.cell), as: UTF8.self)
        let facts = String(decoding: try encoder.encode(run.facts), as: UTF8.self)
        let rows = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try write { db in
            try db.execute(sql: "DELETE FROM cells WHERE key = ?", arguments: [run.cell.key])
            try db.execute(sql: "INSERT INTO cells (key, cell, facts, fingerprint, configDigest) VALUES (?, ?, ?, ?, ?)",
                           arguments: [run.cell.key, cell, facts, run.fingerprint, run.configDigest])
            for (record, json) in zip(records, rows) {
                try db.execute(sql: """
                    INSERT INTO records (cellId, dataset, detector, explainer, measure, value, record) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run.cell.key, record.dataset, record.detector, record.explainer, record.measure, record.value, json])
            }
        }
    }

    /// Combines shard databases into `output` (created or extended).
    /// - Throws: ``ResultsDatabaseError`` when the shards were written by different configs,
    ///   naming the first that differs, or when a shard holds no grid.
    public static func merge(_ shards: [String], into output: String) throws {
        var digest: String?
        var contents: [(runs: [BenchmarkCellRun], records: [(cell: String, record: BenchmarkRecord)], config: String?)] = []
        for shard in shards {
            guard FileManager.default.fileExists(atPath: shard) else { throw ResultsDatabaseError(path: shard, problem: "does not exist") }
            let database = try ResultsDatabase(path: shard)
            guard let own = try database.configDigest() else { throw ResultsDatabaseError(path: shard, problem: "holds no benchmark grid") }
            if let digest, digest != own {
                throw ResultsDatabaseError(path: shard, problem: "was run from another config than \(shards[0]); merge only shards of one grid")
            }
            digest = own
            contents.append((try database.cellRuns(), try database.cellRecords(), try database.storedConfig()))
        }
        let merged = try ResultsDatabase(path: output)
        if let existing = try merged.configDigest(), existing != digest {
            throw ResultsDatabaseError(path: output, problem: "holds results of another config; merge into a new file")
        }
        for (runs, records, config) in contents {
            if let config, let digest { try merged.store(configJSON: config, digest: digest) }
            let byCell = Dictionary(grouping: records) { $0.cell }
            for run in runs { try merged.insert(cell: run, records: byCell[run.cell.key]?.map { $0.record } ?? []) }
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError {
            throw ResultsDatabaseError(path: path, problem: "cannot be read: \(error.message ?? "\(error)")")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError {
            throw ResultsDatabaseError(path: path, problem: "cannot be written: \(error.message ?? "\(error)")")
        }
    }
}

/// A results database that cannot be used: newer schema, not a database, mismatched shards.
public struct ResultsDatabaseError: StatusReportingError, CustomStringConvertible, Equatable, Sendable {
    /// A file that cannot be used is bad data.
    public var exitStatus: ExitStatus { .data }
    /// The database file.
    public let path: String
    /// What is wrong with it.
    public let problem: String

    public init(path: String, problem: String) {
        (self.path, self.problem) = (path, problem)
    }

    public var description: String { "\(path) \(problem)" }
}
