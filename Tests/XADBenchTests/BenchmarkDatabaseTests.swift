import Foundation
import GRDB
import Testing
import XADTestSupport
@testable import XADBench

/// The results database: round trip, resume keys, schema versions, merge refusals, and data
/// fingerprints.
@Suite("Benchmark results database")
struct BenchmarkDatabaseTests {
    static func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-db-\(UUID().uuidString)-\(name)").path
    }

    static let cell = BenchmarkCell(dataset: "d", detector: "padim", detectorOptions: "{}", seed: 0)

    static func run(_ cell: BenchmarkCell, fingerprint: String = "sha256:f", digest: String = "sha256:c") -> BenchmarkCellRun {
        BenchmarkCellRun(cell: cell, fingerprint: fingerprint, configDigest: digest,
                         facts: .init(preset: "quick", xadkitVersion: "0.1.0", gitCommit: "abc", machine: "cpu", startedAt: "now",
                                      wallSeconds: 1, fitSeconds: 0.5, scoreSeconds: 0.25, explainSeconds: 0, peakMemoryMB: 100))
    }

    static func record(_ measure: String, _ value: Double) -> BenchmarkRecord {
        BenchmarkRecord(dataset: "d", traits: .init(modality: .image, content: .texture), detector: "padim", measure: measure,
                        value: value, interval: value - 0.1...value + 0.1, images: 5)
    }

    static let config = BenchmarkConfig(name: "g", datasets: [.init(name: "d", path: "/")], detectors: [.init("padim")])

    @Test func aCellAndItsRecordsRoundTripAndAReinsertReplacesThem() throws {
        let database = try ResultsDatabase(path: Self.path("a.db"))
        try database.insert(cell: Self.run(Self.cell), records: [Self.record("aupro", 0.5), Self.record("image-auroc", 0.9)])
        #expect(try database.records() == [Self.record("aupro", 0.5), Self.record("image-auroc", 0.9)])
        #expect(try database.completedCells() == [Self.cell.key: "sha256:f"])
        #expect(try database.cellRuns() == [Self.run(Self.cell)])
        try database.insert(cell: Self.run(Self.cell, fingerprint: "sha256:g"), records: [Self.record("aupro", 0.6)])
        #expect(try database.records() == [Self.record("aupro", 0.6)])
        #expect(try database.completedCells() == [Self.cell.key: "sha256:g"])
    }

    @Test func aDatabaseFromANewerSchemaIsRefused() throws {
        let path = Self.path("newer.db")
        _ = try ResultsDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        let error = try #require(throws: ResultsDatabaseError.self) { try ResultsDatabase(path: path) }
        #expect(error.description.contains("newer XADKit") && error.description.contains("v99-from-the-future"), "\(error)")
    }

    @Test func aFileThatIsNotADatabaseIsRefusedNamingIt() throws {
        let path = Self.path("text.db")
        try Data("not sqlite at all, just text that is long enough to be read as a header".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ResultsDatabaseError.self) { try ResultsDatabase(path: path) }
        #expect(error.path == path && error.exitStatus == .data)
    }

    @Test func mergeCombinesShardsOfOneConfigAndRefusesOthers() throws {
        let (first, second, other) = (Self.path("s0.db"), Self.path("s1.db"), Self.path("x.db"))
        let explained = BenchmarkCell(dataset: "d", detector: "padim", detectorOptions: "{}", seed: 0, explainer: "rise", explainerOptions: "{}")
        for (path, cell, value) in [(first, Self.cell, 0.5), (second, explained, 0.7)] {
            let database = try ResultsDatabase(path: path)
            try database.setConfig(Self.config)
            try database.insert(cell: Self.run(cell), records: [Self.record("aupro", value)])
        }
        let merged = Self.path("merged.db")
        try ResultsDatabase.merge([first, second], into: merged)
        let database = try ResultsDatabase(path: merged)
        #expect(Set(try database.completedCells().keys) == [Self.cell.key, explained.key])
        #expect(try database.records().map(\.value).sorted() == [0.5, 0.7])
        #expect(try database.config() == Self.config)

        var changed = Self.config
        changed.imageSize = 512
        try ResultsDatabase(path: other).setConfig(changed)
        let error = try #require(throws: ResultsDatabaseError.self) { try ResultsDatabase.merge([first, other], into: Self.path("m2.db")) }
        #expect(error.path == other && error.description.contains("another config"), "\(error)")
    }

    @Test func theFingerprintFollowsNamesSizesAndContents() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-fingerprint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("a".utf8).write(to: folder.appendingPathComponent("sub/a.png"))
        let first = try DataFingerprint.of(folder)
        #expect(first.hasPrefix("sha256:") && first.count == 7 + 64)
        #expect(try DataFingerprint.of(folder) == first)
        try Data("b".utf8).write(to: folder.appendingPathComponent("sub/a.png"))   // same size, other content
        let changed = try DataFingerprint.of(folder)
        #expect(changed != first)
        try Data("c".utf8).write(to: folder.appendingPathComponent("b.png"))
        #expect(try DataFingerprint.of(folder) != changed)
        // A big file: its first and last MiB; a change in the middle is not seen (documented).
        var big = Data(repeating: 7, count: DataFingerprint.wholeFileLimit + 3 << 20)
        try big.write(to: folder.appendingPathComponent("big.bin"))
        let withBig = try DataFingerprint.of(folder)
        big[big.count / 2] = 8
        try big.write(to: folder.appendingPathComponent("big.bin"))
        #expect(try DataFingerprint.of(folder) == withBig)
        big[big.count - 1] = 8
        try big.write(to: folder.appendingPathComponent("big.bin"))
        #expect(try DataFingerprint.of(folder) != withBig)
    }
}
