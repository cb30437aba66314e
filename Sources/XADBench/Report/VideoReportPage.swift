import XADData
import XADDetect

/// The video report's HTML: one self-contained page in the image report's style (its CSS), with
/// inline SVG score curves; alarm pictures and annotated clips are separate files. Text from data
/// is escaped and void elements self-closed, so the page is also well-formed XML.
struct VideoReportPage {
    /// One explained alarm: where, how high, the picture, and the objects' evidence.
    struct Alarm {
        var clip: String
        var frame: Int
        var score: Float
        var label: Label
        /// The panel's path relative to the page.
        var image: String
        /// The frame's objects, highest score first.
        var objects: [ObjectEvidence]
    }

    /// One annotated clip written as a video file.
    struct Video {
        var clip: String
        /// The file's path relative to the page.
        var file: String
        var mimeType: String
        var frames: Int
    }

    var title: String
    var subtitle: String
    var facts: [(label: String, value: String)]
    var report: VideoEvaluationReport
    var curves: [VideoScoreCurve]
    var alarms: [Alarm]
    var videos: [Video]
    var footer: String

    func html() -> String {
        let e = Markup.escape
        var page = ReportPage.head(title: title, subtitle: subtitle)
        page += section("summary", "Run", "<table class=\"facts\">\n"
            + facts.map { "<tr><th>\(e($0.label))</th><td>\(e($0.value))</td></tr>\n" }.joined() + "</table>\n")
        page += section("metrics", "Metrics", metricsTable() + clipTable())
        page += section("curves", "Score curves", "<div class=\"charts\">\n"
            + curves.map { "<figure class=\"chart\">\n\($0.svg())</figure>\n" }.joined() + "</div>\n")
        page += section("alarms", "Top alarms explained", alarmsHTML())
        page += section("videos", "Annotated clips", videosHTML())
        page += "<footer>\(e(footer))</footer>\n</body>\n</html>\n"
        return page
    }

    private func section(_ id: String, _ heading: String, _ body: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(heading)</h2>\n\(body)</section>\n"
    }

    private func metricsTable() -> String {
        let rows: [(String, String, Double?)] = [
            ("frame_auroc_micro", "frame AUROC, micro (all frames pooled)", report.frameAUROCMicro),
            ("frame_auroc_macro", "frame AUROC, macro (mean over \(report.macroClipCount) clips with both classes)", report.frameAUROCMacro),
            ("equal_error_rate", "equal error rate (pooled frames)", report.equalErrorRate),
            ("pixel_auroc", "pixel AUROC (\(report.pixelFrames) frames with masks, frame size / \(report.pixelDownscale))", report.pixelAUROC),
            ("rbdc", "RBDC (region-based detection criterion)", report.rbdc),
            ("tbdc", "TBDC (track-based detection criterion)", report.tbdc),
        ]
        var html = "<table class=\"metrics\">\n<thead><tr><th>metric</th><th>value</th></tr></thead>\n<tbody>\n"
        for (key, name, value) in rows {
            html += "<tr data-metric=\"\(key)\"><th>\(Markup.escape(name))</th><td>\(Markup.number(value))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n<ul class=\"notes\">\n"
        if let check = report.atThreshold {
            html += "<li>At the saved threshold \(Markup.number(check.threshold)): anomalous frames flagged "
                + "\(Markup.number(check.truePositiveRate, decimals: 3)), normal frames flagged \(Markup.number(check.falsePositiveRate, decimals: 3)).</li>\n"
        }
        for (metric, reason) in report.undefined.sorted(by: { $0.key < $1.key }) {
            html += "<li>\(Markup.escape(metric)) undefined: \(Markup.escape(reason))</li>\n"
        }
        return html + "</ul>\n"
    }

    private func clipTable() -> String {
        var html = "<table class=\"metrics clips\">\n<thead><tr><th>clip</th><th>frames</th><th>anomalous</th><th>masks</th>"
            + "<th>frame AUROC</th></tr></thead>\n<tbody>\n"
        for clip in report.clips {
            html += "<tr><th>\(Markup.escape(clip.name))</th><td>\(clip.frames)</td><td>\(clip.anomalousFrames)</td>"
                + "<td>\(clip.hasMasks ? "yes" : "no")</td><td>\(Markup.number(clip.frameAUROC))</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    private func alarmsHTML() -> String {
        guard !alarms.isEmpty else { return "<p>No alarm explained.</p>\n" }
        var html = "<p>The \(alarms.count) highest-scoring frames: the heat map and the detector's boxes (red at or above the threshold), "
            + "then each object's nearest normal training object; below, what drove each object's score, against the normal range.</p>\n"
            + "<div class=\"gallery alarms\">\n"
        for alarm in alarms {
            html += "<article class=\"entry alarm\" data-clip=\"\(Markup.escape(alarm.clip))\" data-frame=\"\(alarm.frame)\" "
                + "data-score=\"\(alarm.score)\">\n"
                + "<h3>clip \(Markup.escape(alarm.clip)), frame \(alarm.frame)</h3>\n"
                + "<p class=\"meta\">score \(Markup.number(Double(alarm.score))) · truth \(alarm.label.rawValue)</p>\n"
                + "<img src=\"\(Markup.escape(alarm.image))\" alt=\"clip \(Markup.escape(alarm.clip)) frame \(alarm.frame) explained\"/>\n"
            if alarm.objects.isEmpty {
                html += "<p class=\"meta\">The detector reported no objects for this frame; the heat map is its explanation.</p>\n"
            }
            for (index, object) in alarm.objects.prefix(3).enumerated() {
                let box = object.box
                html += "<div class=\"object\"><p><strong>object \(index + 1)</strong> at x \(box.x), y \(box.y), \(box.width) × \(box.height) px, "
                    + "score \(Markup.number(Double(object.score)))"
                if let driver = object.drivingAttribute { html += ", driven by <strong>\(Markup.escape(driver.name))</strong>" }
                if let nearest = object.nearestNormal {
                    html += "; nearest normal object: clip \(Markup.escape(nearest.clip)) frame \(nearest.frame)"
                }
                html += "</p>\n<ul class=\"attributes\">\n" + object.attributeLines.map { "<li>\(Markup.escape($0))</li>\n" }.joined() + "</ul></div>\n"
            }
            html += "</article>\n"
        }
        return html + "</div>\n"
    }

    private func videosHTML() -> String {
        guard !videos.isEmpty else { return "<p>No clip written.</p>\n" }
        return videos.map { video in
            "<figure class=\"video\" data-clip=\"\(Markup.escape(video.clip))\">\n"
                + "<video controls=\"controls\" muted=\"muted\" preload=\"auto\" width=\"100%\" data-frames=\"\(video.frames)\">"
                + "<source src=\"\(Markup.escape(video.file))\" type=\"\(Markup.escape(video.mimeType))\"/></video>\n"
                + "<figcaption>clip \(Markup.escape(video.clip)): \(video.frames) frames at 10 frames/s, heat map and boxes on every frame</figcaption>\n"
                + "</figure>\n"
        }.joined()
    }
}
