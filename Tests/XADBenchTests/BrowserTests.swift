import Foundation
import Testing
import XADImage
import XADTestSupport
@testable import XADBench

/// The report opened in a real browser (Debian's `chromium`, headless, installed by
/// `scripts/setup.sh`): rendered to a screenshot that must have the window's size and show
/// something (not one flat colour), with no broken local links. Skipped when Chromium is
/// missing, except under `CI=true`, where a missing browser is a failure.
@Suite("Report in a browser", .serialized)
struct BrowserTests {
    static let shouldRun = Chromium.shouldTest

    /// Renders `page` at 1280 x 1600 into a PNG with a private profile; gives up after 90 s.
    static func screenshot(_ page: URL, to png: URL, profile: URL) throws -> Int32 {
        try Chromium.run(page, arguments: ["--screenshot=\(png.path)", "--window-size=1280,1600"], profile: profile).status
    }

    @Test(.enabled(if: shouldRun)) func theReportRendersToANonBlankScreenshotOfTheWindowSize() throws {
        let fixture = try ReportFixture.shared.get()
        let folder = ReportFixture.temporaryFolder("browser")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try Report(model: fixture.model, dataset: fixture.dataset, evaluation: fixture.evaluation,
                              options: ReportOptions(explainedImages: 1, explainers: ["grad-cam"])).write(to: folder.appendingPathComponent("report"))
        // What the browser loads besides the page: every local src/href must exist.
        let links = ReportTests.localLinks(in: try SVGTree.parse(String(contentsOf: page, encoding: .utf8)), folder: page.deletingLastPathComponent())
        #expect(!links.isEmpty)
        for link in links { #expect(FileManager.default.fileExists(atPath: link.path), "broken link \(link.path)") }

        let png = folder.appendingPathComponent("shot.png")
        let status = try Self.screenshot(page, to: png, profile: folder.appendingPathComponent("profile"))
        #expect(status == 0)

        let shot = try Image(contentsOf: png)
        #expect(shot.width == 1280 && shot.height == 1600)
        // Not blank: the page's text, charts and pictures give many colours and spread-out brightness.
        let (colours, variance) = Chromium.variety(of: shot)
        #expect(colours > 200, "\(colours) colours")
        #expect(variance > 100, "brightness variance")   // a flat page has 0
    }
}
