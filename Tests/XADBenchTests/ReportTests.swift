import Foundation
import Testing
import XADData
import XADDetect
import XADMetrics
@testable import XADBench

@Suite("Report", .serialized)
struct ReportTests {
    /// Every `src` and `href` of the page that names a local file, resolved against its folder.
    static func localLinks(in page: SVGTree.Element, folder: URL) -> [URL] {
        page.all.flatMap { [$0.attributes["src"], $0.attributes["href"]] }.compactMap { $0 }
            .filter { !$0.hasPrefix("#") && !$0.contains("://") && !$0.hasPrefix("data:") }
            .map { folder.appendingPathComponent($0) }
    }

    @Test func writesOnePageWithSectionsChartsAndAGalleryWhoseImagesExist() throws {
        let fixture = try ReportFixture.shared.get()
        let folder = ReportFixture.temporaryFolder("page")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = ReportOptions(title: "Synthetic <stripes> & spots", explainedImages: 2,
                                    explainers: ["grad-cam", "no-such-method"])
        options.galleryLimit = 10
        let page = try Report(model: fixture.model, dataset: fixture.dataset, evaluation: fixture.evaluation, options: options,
                              notes: [ReportNote("fitting", "a few seconds")]).write(to: folder)
        #expect(page == folder.appendingPathComponent("report.html"))
        let html = try String(contentsOf: page, encoding: .utf8)
        let root = try SVGTree.parse(html)     // well-formed: every data text was escaped
        #expect(root.elements("title").first?.text == "Synthetic <stripes> & spots")
        #expect(root.elements("section").compactMap { $0.attributes["id"] } == ["summary", "metrics", "curves", "gallery"])
        // Nothing from the network: the only URL is the SVG namespace.
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "://") == nil)

        // The metrics table: one row for all images and one per defect class, values as Evaluator measured.
        let rows = try #require(root.elements("table", class: "metrics").first).elements("tr")
        #expect(rows.count == 1 + 1 + 2)
        let overall = rows[1].elements("td").map(\.text)
        #expect(overall[0] == "\(fixture.evaluation.report.overall.images)")
        #expect(overall[2] == Markup.number(fixture.evaluation.report.overall.imageAUROC))
        #expect(root.elements("th").contains { $0.text == "fitting" })

        // Four charts: ROC, PR, PRO (shaded) and the histogram with one bar count per image.
        let charts = root.elements("svg")
        #expect(charts.count == 4)
        #expect(charts[2].elements("polygon", class: "area").count == 1)
        let barCounts = charts[3].elements("rect", class: "bar").compactMap { $0.attributes["data-count"] }.compactMap(Int.init)
        #expect(barCounts.reduce(0, +) == fixture.evaluation.images.count)
        #expect(charts[3].elements("line", class: "threshold").count == 1)

        // The gallery: every test image (fewer than the limit), four pictures each, explanations for two.
        let entries = root.elements("article", class: "entry")
        #expect(entries.count == fixture.evaluation.images.count)
        for entry in entries {
            let captions = try #require(entry.elements("div", class: "tiles").first).elements("figcaption").map(\.text)
            #expect(captions.first == "input" && captions.contains("anomaly map") && captions.contains("predicted (red) vs true (green)"))
        }
        let explained = root.elements("div", class: "explanations")
        #expect(explained.count == 2)
        #expect(explained.allSatisfy { $0.elements("figcaption").contains { $0.text.hasPrefix("grad-cam (") && $0.text.hasSuffix(" s)") } })
        #expect(root.elements("details", class: "unavailable").first?.all.contains { $0.text == "no-such-method" } == true)

        // No broken links: every local src/href exists, and every picture file is used.
        let links = Self.localLinks(in: root, folder: folder)
        #expect(links.count >= 4 * entries.count)
        for link in links { #expect(FileManager.default.fileExists(atPath: link.path), "missing \(link.path)") }
        let pictures = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("images").path)
        #expect(pictures.count == links.count)
    }

    @Test func misclassifiedImagesComeFirstAndEveryOutcomeGetsPlaces() throws {
        func image(_ name: String, _ label: Label, _ score: Float) throws -> ScoredImage {
            let reference = SampleReference(image: URL(fileURLWithPath: "/data/\(name).png"), label: label, category: label == .normal ? "good" : "crack")
            return ScoredImage(reference: reference, score: score, map: try ScoreMap(height: 1, width: 1, scores: [score]), mask: nil)
        }
        let images = try [image("tn1", .normal, 0.1), image("fp1", .normal, 0.7), image("fp2", .normal, 0.9),
                          image("tp1", .anomalous, 0.95), image("fn1", .anomalous, 0.3), image("fn2", .anomalous, 0.2),
                          image("tp2", .anomalous, 0.6), image("tn2", .normal, 0.4)]
        let all = GalleryOrder.arrange(images, threshold: 0.5, limit: 8).map(\.name)
        #expect(all == ["fp2.png", "fp1.png", "fn2.png", "fn1.png", "tp1.png", "tp2.png", "tn2.png", "tn1.png"])
        // Places are dealt round-robin: one of each outcome, then a second false positive and false negative.
        #expect(GalleryOrder.arrange(images, threshold: 0.5, limit: 4).map(\.name) == ["fp2.png", "fn2.png", "tp1.png", "tn2.png"])
        #expect(GalleryOrder.arrange(images, threshold: 0.5, limit: 6).map(\.name) == ["fp2.png", "fp1.png", "fn2.png", "fn1.png", "tp1.png", "tn2.png"])
        // An outcome that does not occur leaves its places to the others.
        #expect(GalleryOrder.arrange(Array(images.prefix(4)), threshold: 0.5, limit: 4).map(\.name) == ["fp2.png", "fp1.png", "tp1.png", "tn1.png"])
        #expect(GalleryOrder.arrange(images, threshold: nil, limit: 3).map(\.name) == ["tp1.png", "fp2.png", "fp1.png"])
        #expect(Verdict(images[4], threshold: 0.5) == .falseNegative)
        #expect(Verdict(try image("edge", .anomalous, 0.5), threshold: 0.5) == .truePositive)   // score >= threshold is anomalous
    }

    @Test func replacesAnOldReportAtomicallyAndRefusesOtherFolders() throws {
        let fixture = try ReportFixture.shared.get()
        let parent = ReportFixture.temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("out")
        let options = ReportOptions(galleryLimit: 2, explainedImages: 0)
        let report = Report(model: fixture.model, dataset: fixture.dataset, evaluation: fixture.evaluation, options: options)
        try report.write(to: folder)
        let marker = folder.appendingPathComponent("images/stale.png")
        try Data([1]).write(to: marker)
        try report.write(to: folder)
        #expect(!FileManager.default.fileExists(atPath: marker.path), "the old report was replaced as a whole")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["out"], "no temporary folders left")

        // A gallery image that can no longer be read: the error names it, the previous report stays.
        var broken = fixture.evaluation
        let missing = URL(fileURLWithPath: "/nonexistent/gone.png")
        broken.images = broken.images.map { ScoredImage(reference: SampleReference(image: missing, label: $0.label, category: $0.category),
                                                        score: $0.score, map: $0.map, mask: $0.mask) }
        let failing = Report(model: fixture.model, dataset: fixture.dataset, evaluation: broken, options: options)
        #expect(throws: (any Error).self) { try failing.write(to: folder) }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["out"])

        let other = parent.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: other.appendingPathComponent("mine.txt"))
        #expect(throws: ReportError.notAReportFolder(other.path)) { try report.write(to: other) }
        #expect(FileManager.default.fileExists(atPath: other.appendingPathComponent("mine.txt").path))
    }
}
