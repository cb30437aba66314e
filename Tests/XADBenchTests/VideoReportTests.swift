import Foundation
import Testing
import XADImage
import XADTestSupport
@testable import XADBench

/// The video report of the synthetic clips (``VideoFixture``): its page parsed as XML, its
/// pictures and annotated clip read back, and the page opened in headless Chromium, where the
/// `<video>` must load and play.
@Suite("Video report", .serialized)
struct VideoReportTests {
    /// Writes the report of the synthetic clips into a new temporary folder (the caller removes it).
    static func written() throws -> (folder: URL, page: URL) {
        let fixture = try VideoFixture.shared.get()
        let folder = ReportFixture.temporaryFolder("video")
        let page = try VideoReport(model: fixture.model, dataset: fixture.dataset, evaluation: fixture.evaluation,
                                   options: ReportOptions(explainedImages: 3)).write(to: folder.appendingPathComponent("report"))
        return (folder, page)
    }

    @Test func thePageHoldsCurvesExplainedAlarmsAndAPlayableClip() throws {
        let (folder, page) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = try VideoFixture.shared.get()
        let root = try SVGTree.parse(String(contentsOf: page, encoding: .utf8))
        // One score curve per clip: a point per frame, the truth intervals shaded, the threshold drawn.
        let curves = root.elements("svg", class: "video-score-curve")
        #expect(curves.count == 3)
        for (curve, clip) in zip(curves, fixture.evaluation.clips) {
            #expect(curve.elements("polyline", class: "scores").first?.points().count == 16)
            let shaded = curve.elements("rect", class: "anomalous").map { ($0.attributes["data-first"] ?? "", $0.attributes["data-last"] ?? "") }
            #expect(shaded.map { "\($0.0)-\($0.1)" } == clip.anomalousIntervals.map { "\($0.lowerBound)-\($0.upperBound - 1)" })
            #expect(curve.elements("line", class: "threshold").first?.attributes["data-value"].flatMap(Float.init) == fixture.model.threshold)
        }
        // Three alarms, the highest-scoring frames, each with its picture and the objects' attributes.
        let alarms = root.elements("article", class: "alarm")
        #expect(alarms.count == 3)
        let top = try #require(fixture.evaluation.clips.flatMap { $0.frames.map(\.score) }.max())
        #expect(alarms.first?.attributes["data-score"].flatMap(Float.init) == top)
        for alarm in alarms {
            #expect(alarm.elements("img").count == 1)
            #expect(alarm.elements("li").contains { $0.text.contains("motion") && $0.text.contains("normal") }, "attribute against its normal range")
        }
        let links = ReportTests.localLinks(in: root, folder: page.deletingLastPathComponent())
        for link in links { #expect(FileManager.default.fileExists(atPath: link.path), "broken link \(link.path)") }
        // The annotated clip decodes back with every frame (our FFmpeg reader).
        let source = try #require(root.elements("source").first)
        let video = try VideoFile(url: page.deletingLastPathComponent().appendingPathComponent(try #require(source.attributes["src"])))
        #expect(video.map { _ in 1 }.count == 16)
        #expect(source.attributes["type"] == VideoWriter.Codec.preferred?.mimeType)
    }

    /// Chromium loads the page with a probe script appended that reports the `<video>`'s state.
    @Test(.enabled(if: Chromium.shouldTest)) func chromiumPlaysTheAnnotatedClip() throws {
        let (folder, page) = try Self.written()
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try String(contentsOf: page, encoding: .utf8)
        let probe = page.deletingLastPathComponent().appendingPathComponent("probe.html")
        let script = """
            <script>setInterval(() => { const v = document.querySelector('video'); v.play().catch(() => {});
            document.title = `ready ${v.readyState} duration ${v.duration} error ${v.error ? v.error.code : 0} time ${v.currentTime}`; }, 50);</script>
            """
        try html.replacingOccurrences(of: "</body>", with: script + "</body>").write(to: probe, atomically: true, encoding: .utf8)
        let (_, dom) = try Chromium.run(probe, arguments: ["--autoplay-policy=no-user-gesture-required", "--virtual-time-budget=5000", "--dump-dom"],
                                        profile: folder.appendingPathComponent("profile"))
        let title = try #require(dom.firstRange(of: #/<title>ready (\d) duration ([0-9.]+) error (\d+) time ([0-9.]+)</title>/#), "no probe title in the DOM")
        let match = dom[title]
        let parts = match.dropFirst("<title>".count).dropLast("</title>".count).split(separator: " ")
        // HAVE_ENOUGH_DATA (4) or at least HAVE_CURRENT_DATA (2); 16 frames at 10 frames/s.
        #expect((Int(parts[1]) ?? 0) >= 2, "\(match)")
        #expect(abs((Double(parts[3]) ?? 0) - 1.6) < 0.15, "\(match)")
        #expect(parts[5] == "0", "\(match)")
    }
}
