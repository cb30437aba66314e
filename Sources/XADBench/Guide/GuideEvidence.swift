import Foundation

/// The measured figures the method selection guide cites: a list of ``BenchmarkRecord``s and
/// where they come from.
///
/// The built-in evidence (`guide-evidence.json`, a resource of this module) is transcribed from
/// the measured tables of XADKit's BENCHMARKS.md; `xad guide --from-results` reads a user's own.
///
/// ```swift
/// let evidence = try GuideEvidence.builtIn
/// evidence.records.filter { $0.dataset == "mtd-v1" && $0.measure == BenchmarkMeasure.aupro }
/// ```
public struct GuideEvidence: Codable, Hashable, Sendable {
    /// Where the figures come from (a file, a benchmark run), shown with every answer.
    public var source: String
    /// The figures.
    public var records: [BenchmarkRecord]

    /// Evidence from `records`.
    public init(source: String, records: [BenchmarkRecord]) {
        self.source = source
        self.records = records
    }

    /// Evidence read from a JSON file of this type's form (`source` and `records`).
    /// - Throws: ``GuideError/evidence(_:_:)`` naming the file when it cannot be read or decoded.
    public init(contentsOf url: URL) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: try Data(contentsOf: url))
        } catch {
            throw GuideError.evidence(url.path, "cannot be read as guide evidence: \(error)")
        }
    }

    /// The records of a results database (`xad benchmark run`'s) or of a JSON evidence file,
    /// told apart by the SQLite header.
    /// - Throws: ``GuideError/evidence(_:_:)`` or the database's error, naming the file.
    public static func read(_ path: String) throws -> GuideEvidence {
        let url = URL(fileURLWithPath: path)
        let header = (try? FileHandle(forReadingFrom: url))
            .flatMap { handle in defer { try? handle.close() }; return try? handle.read(upToCount: 16) }
        guard header == Data("SQLite format 3\0".utf8) else { return try GuideEvidence(contentsOf: url) }
        let database = try ResultsDatabase(path: path)
        let grid = try database.gridName().map { " (grid \($0))" } ?? ""
        return GuideEvidence(source: "benchmark results \(path)\(grid)", records: try database.records())
    }

    /// The figures shipped with XADKit (from BENCHMARKS.md).
    public static var builtIn: GuideEvidence {
        get throws { try GuideEvidence(contentsOf: try GuideResource.url("guide-evidence")) }
    }
}
