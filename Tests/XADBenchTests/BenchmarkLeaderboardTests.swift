import Foundation
import Testing
import XADImage
import XADTestSupport
@testable import XADBench

/// Leaderboard ranking, exports, and the page in headless Chromium.
@Suite("Benchmark leaderboard", .serialized)
struct BenchmarkLeaderboardTests {
    static let traits = DatasetTraits(modality: .image, content: .texture)

    static func record(_ detector: String, _ explainer: String? = nil, _ measure: String, _ value: Double,
                       _ interval: ClosedRange<Double>? = nil) -> BenchmarkRecord {
        BenchmarkRecord(dataset: "mtd", traits: traits, detector: detector, explainer: explainer, measure: measure,
                        value: value, interval: interval, images: 10)
    }

    static let records: [BenchmarkRecord] = [
        record("padim", nil, BenchmarkMeasure.aupro, 0.61, 0.55...0.66), record("padim", nil, BenchmarkMeasure.imageAUROC, 0.9),
        record("patchcore", nil, BenchmarkMeasure.aupro, 0.72, 0.68...0.75), record("spade", nil, BenchmarkMeasure.imageAUROC, 0.8),
        record("padim", "grad-cam", "deletion_auc", 0.30, 0.25...0.35), record("padim", "grad-cam", "randomisation", 0.2),
        record("padim", "integrated-gradients", "deletion_auc:signed", 0.50), record("padim", "integrated-gradients", "randomisation:signed", 0.9),
        record("padim", "integrated-gradients", "deletion_auc:abs", 0.20), record("padim", "integrated-gradients", "randomisation:abs", 0.7),
        record("padim", "occlusion", "deletion_auc", 0.25), record("padim", "occlusion", "randomisation", 0.1),
    ]

    @Test func tablesRankDetectorsByAUPROAndExplainersByDeletionAUC() {
        let board = Leaderboard(records: Self.records, title: "t")
        #expect(board.tables.map(\.title) == ["mtd: best detector by AUPRO", "mtd: most faithful explainer by deletion AUC",
                                              "mtd: explainers passing the randomisation check (rank correlation < 0.5)"])
        // Higher AUPRO first; a detector without AUPRO last.
        #expect(board.tables[0].rows.map(\.method) == ["patchcore", "padim", "spade"])
        // Lower deletion AUC first; signed maps measured both ways are two labelled rows.
        #expect(board.tables[1].rows.map(\.method) == ["padim + integrated-gradients (|map|)", "padim + occlusion",
                                                       "padim + grad-cam", "padim + integrated-gradients (signed)"])
        #expect(board.tables[2].rows.map(\.method) == ["padim + occlusion", "padim + grad-cam"])
        #expect(board.tables[0].rows[0].figures[BenchmarkMeasure.aupro]?.text == "0.7200 [0.6800, 0.7500]")
    }

    @Test func markdownCSVAndJSONCarryEveryFigure() throws {
        let board = Leaderboard(records: Self.records, title: "t")
        let markdown = board.markdown()
        #expect(markdown.contains("| 1 | patchcore | 0 | 0.7200 [0.6800, 0.7500] |"))
        let csv = board.csv().split(separator: "\n")
        #expect(csv.count == Self.records.count + 1)
        #expect(csv[1] == "mtd,padim,{},,,aupro,0.61,0.55,0.66,10,0,")
        let decoded = try JSONSerialization.jsonObject(with: board.json()) as? [String: Any]
        #expect((decoded?["records"] as? [Any])?.count == Self.records.count)
    }

    @Test(.enabled(if: Chromium.shouldTest)) func thePageRendersAndAClickSortsATable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-board-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Leaderboard(records: Self.records, title: "t").write(to: folder)
        #expect(files.map(\.lastPathComponent) == ["leaderboard.md", "leaderboard.csv", "leaderboard.json", "index.html"])
        let page = folder.appendingPathComponent("index.html"), png = folder.appendingPathComponent("shot.png")
        let status = try Chromium.run(page, arguments: ["--screenshot=\(png.path)", "--window-size=1000,1200"],
                                      profile: folder.appendingPathComponent("profile")).status
        #expect(status == 0)
        let (colours, variance) = Chromium.variety(of: try Image(contentsOf: png))
        #expect(colours > 50 && variance > 100, "\(colours) colours, variance \(variance)")
        // `#sort=T-C` clicks column C of table T on load (a shareable sorted view): sort the
        // detector table by image AUROC (column 5), highest first after two clicks.
        let sorted = try #require(URL(string: page.absoluteString + "#sort=0-5-descending"))
        let dom = try Chromium.run(sorted, arguments: ["--dump-dom", "--virtual-time-budget=3000"], profile: folder.appendingPathComponent("profile2")).stdout
        let table = try #require(dom.range(of: "id=\"board-0\"").map { String(dom[$0.upperBound...]) })
        let order = ["padim", "spade", "patchcore"].map { table.range(of: ">\($0)</th>")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!, "rows not sorted by image AUROC")
    }
}
