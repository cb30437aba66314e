import Foundation
import Testing
import XADImage
@testable import XADBench

/// The report opened in a real browser (Debian's `chromium`, headless, installed by
/// `scripts/setup.sh`): rendered to a screenshot that must have the window's size and show
/// something (not one flat colour), with no broken local links. Skipped when Chromium is
/// missing, except under `CI=true`, where a missing browser is a failure.
@Suite("Report in a browser", .serialized)
struct BrowserTests {
    /// The first Chromium-like executable on the PATH.
    static let chromium: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    static let shouldRun = chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Renders `page` at 1280 x 1600 into a PNG with a private profile; gives up after 90 s.
    static func screenshot(_ page: URL, to png: URL, profile: URL) throws -> Int32 {
        let chromium = try #require(chromium, "Chromium is not installed: run scripts/setup.sh (Debian package chromium)")
        let process = Process()
        process.executableURL = chromium
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
                             "--screenshot=\(png.path)", "--window-size=1280,1600", page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
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
        let channels = shot.channels, samples = shot.samples
        var colours = Set<UInt64>(), sum = 0.0, squares = 0.0
        for pixel in 0..<(shot.width * shot.height) {
            let rgb = (0..<min(3, channels)).map { UInt64(samples[pixel * channels + $0]) }
            colours.insert(rgb.reduce(0) { $0 << 16 | $1 })
            let brightness = Double(rgb.reduce(0, +)) / Double(rgb.count)
            sum += brightness
            squares += brightness * brightness
        }
        let count = Double(shot.width * shot.height), mean = sum / count
        #expect(colours.count > 200, "\(colours.count) colours")
        #expect(squares / count - mean * mean > 100, "brightness variance")   // a flat page has 0
    }
}
