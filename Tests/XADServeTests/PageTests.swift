import Foundation
import Testing
import XADImage
import XADTestSupport
@testable import XADServe

/// The web page in headless Chromium against a running service: `?sample=1` makes the page
/// draw an image, score it and explain it with occlusion as a user's upload would; the scored
/// result and both overlays must appear in the DOM, and the screenshot must show them.
/// Under `XAD_SERVE_SCREENSHOT=PATH` the screenshot is also copied to PATH (how docs/serve.png is made).
@Suite("xad serve: the page in a browser", .serialized)
struct PageTests {
    @Test(.enabled(if: Chromium.shouldTest)) func uploadingAnImageShowsScoreVerdictAndOverlays() async throws {
        let server = try await RunningService.shared.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-serve-page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try #require(URL(string: "http://127.0.0.1:\(server.port)/?token=\(RunningService.token)&sample=1&method=occlusion"))
        // Virtual time lets the page's requests finish before the DOM is read.
        let timing = ["--virtual-time-budget=60000", "--run-all-compositor-stages-before-draw"]
        let dom = try Chromium.run(page, arguments: ["--dump-dom"] + timing, profile: folder.appendingPathComponent("dom"))
        #expect(dom.status == 0)
        #expect(dom.stdout.contains("<section id=\"result\" data-score=\""), "no scored result in the page")
        #expect(dom.stdout.contains("id=\"overlay\" alt=\"anomaly overlay\" src=\"data:image/png;base64,"))
        #expect(dom.stdout.contains("<h3 id=\"explained\">occlusion"), "no explanation in the page")
        #expect(dom.stdout.contains("class=\"verdict anomalous\""), "the red square is not called anomalous")

        let png = folder.appendingPathComponent("serve.png")
        let shot = try Chromium.run(page, arguments: ["--screenshot=\(png.path)", "--window-size=1280,900"] + timing,
                                    profile: folder.appendingPathComponent("shot"))
        #expect(shot.status == 0)
        let image = try Image(contentsOf: png)
        #expect(image.width == 1280 && image.height == 900)
        let (colours, variance) = Chromium.variety(of: image)
        #expect(colours > 200 && variance > 100, "\(colours) colours, variance \(variance)")
        if let destination = ProcessInfo.processInfo.environment["XAD_SERVE_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: destination))
        }
    }
}
