import Foundation
import XADImage

/// A results database's records as ranked tables: per data set, detectors ranked by AUPRO, and
/// detector + explainer pairs ranked by deletion AUC (lower: removing the pixels the map ranks
/// first destroys the score sooner, so the map is more faithful); plus the explainers that pass
/// the model-parameter randomisation check. Written as Markdown, CSV (every record), JSON and an
/// HTML page with sortable tables and charts.
///
/// ```swift
/// let board = Leaderboard(records: try ResultsDatabase(path: "results.db").records(), title: "first run")
/// try board.write(to: URL(fileURLWithPath: "docs/benchmark"))   // leaderboard.md, .csv, .json, index.html
/// ```
public struct Leaderboard: Sendable, Encodable {
    /// A figure with its bootstrap interval, if any.
    public struct Figure: Sendable, Codable, Equatable {
        public var value: Double
        public var lower: Double?, upper: Double?

        /// "0.8123 [0.7790, 0.8431]" or "0.8123".
        public var text: String {
            guard let lower, let upper else { return Markup.number(value) }
            return "\(Markup.number(value)) [\(Markup.number(lower)), \(Markup.number(upper))]"
        }
    }

    /// One ranked row: a method (pair) and its figures by column.
    public struct Row: Sendable, Codable, Equatable {
        /// What the row measures, e.g. `padim` or `padim + grad-cam (|map|)`.
        public var method: String
        public var seed: UInt64
        public var figures: [String: Figure]
    }

    /// One ranked table.
    public struct Table: Sendable, Codable, Equatable {
        /// The question the table answers.
        public var title: String
        public var dataset: String
        public var columns: [String]
        /// The column it is ranked by, and whether lower is better.
        public var rankedBy: String, lowerIsBetter: Bool
        /// Best first.
        public var rows: [Row]
    }

    /// The randomisation check passes when the rank correlation of a map with the most
    /// randomised model's map is below this (Adebayo et al. 2018: a faithful map changes).
    public static let randomisationPassBelow = 0.5

    /// The title of the whole board.
    public let title: String
    /// Every record, as read.
    public let records: [BenchmarkRecord]
    /// Detection and explanation tables per data set, then the randomisation check.
    public let tables: [Table]

    public init(records: [BenchmarkRecord], title: String) {
        self.title = title
        self.records = records
        var tables: [Table] = []
        for dataset in Self.ordered(records.map(\.dataset)) {
            let rows = records.filter { $0.dataset == dataset }
            tables.append(Self.table("\(dataset): best detector by AUPRO", dataset: dataset, rows.filter { $0.explainer == nil },
                                     columns: [BenchmarkMeasure.aupro, BenchmarkMeasure.pixelAUROC, BenchmarkMeasure.imageAUROC,
                                               BenchmarkMeasure.averagePrecision, BenchmarkMeasure.f1Max, BenchmarkMeasure.fitSeconds,
                                               BenchmarkMeasure.scoreMilliseconds],
                                     rankedBy: BenchmarkMeasure.aupro, lowerIsBetter: false))
            let explained = rows.filter { $0.explainer != nil }
            tables.append(Self.table("\(dataset): most faithful explainer by deletion AUC", dataset: dataset, explained,
                                     columns: ["deletion_auc", "insertion_auc", "pointing_game", "relevance_mass", "aupro", "randomisation",
                                               BenchmarkMeasure.explainMilliseconds],
                                     rankedBy: "deletion_auc", lowerIsBetter: true))
            var passing = Self.table("\(dataset): explainers passing the randomisation check (rank correlation < \(Self.randomisationPassBelow))",
                                     dataset: dataset, explained, columns: ["randomisation", "deletion_auc"],
                                     rankedBy: "randomisation", lowerIsBetter: true)
            passing.rows = passing.rows.filter { ($0.figures["randomisation"]?.value ?? 1) < Self.randomisationPassBelow }
            tables.append(passing)
        }
        self.tables = tables
    }

    /// A ranked table of `records` grouped into rows by method and seed; a measure `name:abs` /
    /// `name:signed` (signed maps measured both ways) makes its own row, labelled, and that
    /// method's measures without a variant (e.g. the randomisation check) join each such row.
    static func table(_ title: String, dataset: String, _ records: [BenchmarkRecord], columns: [String],
                      rankedBy: String, lowerIsBetter: Bool) -> Table {
        var rows: [String: Row] = [:], order: [String] = []
        var shared: [String: [String: Figure]] = [:], variantKeys: [String: [String]] = [:]
        for record in records {
            let parts = record.measure.split(separator: ":", maxSplits: 1).map(String.init)
            guard columns.contains(parts[0]) else { continue }
            let variant = parts.count > 1 ? (parts[1] == "abs" ? " (|map|)" : " (\(parts[1]))") : ""
            let options = record.detectorOptions == "{}" ? "" : " \(record.detectorOptions)"
            let base = record.detector + options + (record.explainer.map { " + \($0)" } ?? "")
            let figure = Figure(value: record.value, lower: record.interval?.lowerBound, upper: record.interval?.upperBound)
            let baseKey = "\(base)|\(record.seed)", key = "\(base + variant)|\(record.seed)"
            if variant.isEmpty { shared[baseKey, default: [:]][parts[0]] = figure }
            if rows[key] == nil {
                order.append(key)
                if !variant.isEmpty { variantKeys[baseKey, default: []].append(key) }
            }
            rows[key, default: Row(method: base + variant, seed: record.seed, figures: [:])].figures[parts[0]] = figure
        }
        for (baseKey, keys) in variantKeys {
            for key in keys { rows[key]?.figures.merge(shared[baseKey] ?? [:]) { own, _ in own } }
            rows[baseKey] = nil
        }
        // A row without the ranking figure (e.g. no masks) goes last; ties keep the grid's order.
        let ranked = order.enumerated().sorted { left, right in
            let a = rows[left.element]?.figures[rankedBy]?.value, b = rows[right.element]?.figures[rankedBy]?.value
            switch (a, b) {
            case let (a?, b?) where a != b: return lowerIsBetter ? a < b : a > b
            case (nil, _?): return false
            case (_?, nil): return true
            default: return left.offset < right.offset
            }
        }.compactMap { rows[$0.element] }
        return Table(title: title, dataset: dataset, columns: columns, rankedBy: rankedBy, lowerIsBetter: lowerIsBetter, rows: ranked)
    }

    /// The distinct values of `names` in first-seen order.
    static func ordered(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The tables in Markdown: one `###` section each, best row first.
    public func markdown() -> String {
        var text = "# \(title)\n\nFigures: value [bootstrap 95% interval over images]; rows best first.\n"
        for table in tables {
            text += "\n### \(table.title)\n\n| rank | method | seed | " + table.columns.joined(separator: " | ") + " |\n"
            text += "|---:|---|---:|" + table.columns.map { _ in "---:|" }.joined() + "\n"
            if table.rows.isEmpty { text += "| | (none) | |" + table.columns.map { _ in " |" }.joined() + "\n" }
            for (rank, row) in table.rows.enumerated() {
                text += "| \(rank + 1) | \(row.method) | \(row.seed) | "
                    + table.columns.map { row.figures[$0]?.text ?? "-" }.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    /// Every record, one CSV line each (RFC 4180 quoting).
    public func csv() -> String {
        let header = "dataset,detector,detector_options,explainer,explainer_options,measure,value,lower,upper,images,seed,preset"
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = records.map { r in
            [r.dataset, r.detector, r.detectorOptions, r.explainer ?? "", r.explainerOptions ?? "", r.measure, "\(r.value)",
             r.interval.map { "\($0.lowerBound)" } ?? "", r.interval.map { "\($0.upperBound)" } ?? "", "\(r.images)", "\(r.seed)",
             r.preset ?? ""].map(field).joined(separator: ",")
        }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    /// The board as JSON (title, tables, records).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes `leaderboard.md`, `leaderboard.csv`, `leaderboard.json` and `index.html` into
    /// `folder` (created when missing), each atomically.
    /// - Returns: the files written.
    @discardableResult
    public func write(to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files: [(String, Data)] = [("leaderboard.md", Data(markdown().utf8)), ("leaderboard.csv", Data(csv().utf8)),
                                       ("leaderboard.json", try json()), ("index.html", Data(LeaderboardPage(board: self).html().utf8))]
        return try files.map { name, data in
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(data, to: url)
            return url
        }
    }
}
