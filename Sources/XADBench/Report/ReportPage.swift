import XADDetect
import XADExplain

/// The report's HTML: one self-contained page (inline CSS, a few lines of inline JavaScript for
/// the gallery filter, charts as inline SVG); only gallery pictures are separate files.
/// Every text that comes from data (names, paths, options, error messages) is escaped, and void
/// elements are self-closed, so the page is also well-formed XML (tests parse it as such).
struct ReportPage {
    var title: String
    var subtitle: String
    /// The run summary: label and value per row.
    var facts: [(label: String, value: String)]
    var report: EvaluationReport
    var threshold: DecisionThreshold?
    var charts: [ReportCharts.Chart]
    var gallery: [GalleryEntry]
    /// Explanation methods not shown, with the reason.
    var unavailable: [DroppedMethod]
    var footer: String

    /// The start of a report page up to its header: doctype, meta tags (the report format
    /// version), title, the shared style sheet. Shared by the image and the video report.
    static func head(title: String, subtitle: String) -> String {
        let e = Markup.escape
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="generator" content="XADKit"/>
            <meta name="xadkit-report" content="\(XADBench.reportFormatVersion)"/>
            <title>\(e(title))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header><h1>\(e(title))</h1><p class="subtitle">\(e(subtitle))</p></header>

            """
    }

    func html() -> String {
        let e = Markup.escape
        var page = Self.head(title: title, subtitle: subtitle)
        page += section("summary", "Run", factsTable())
        page += section("metrics", "Metrics", metricsTable())
        page += section("curves", "Curves", "<div class=\"charts\">\n" + charts.map(chartHTML).joined() + "</div>\n")
        page += section("gallery", "Gallery", galleryHTML())
        page += "<footer>\(e(footer))</footer>\n<script>\(Self.script)</script>\n</body>\n</html>\n"
        return page
    }

    private func section(_ id: String, _ heading: String, _ body: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(heading)</h2>\n\(body)</section>\n"
    }

    private func factsTable() -> String {
        "<table class=\"facts\">\n" + facts.map { "<tr><th>\(Markup.escape($0.label))</th><td>\(Markup.escape($0.value))</td></tr>\n" }.joined()
            + "</table>\n"
    }

    private func metricsTable() -> String {
        let header = ["defect class", "images", "anomalous", "image AUROC", "AP", "F1-max", "pixel AUROC", "AUPRO"]
        var html = "<table class=\"metrics\">\n<thead><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        let rows = [("all", report.overall)] + report.classes.map { ($0.name, $0.metrics) }
        for (index, (name, metrics)) in rows.enumerated() {
            let cells = [metrics.imageAUROC, metrics.averagePrecision, metrics.f1Max, metrics.pixelAUROC, metrics.aupro]
            html += "<tr\(index == 0 ? " class=\"overall\"" : "")><th>\(Markup.escape(name))</th><td>\(metrics.images)</td>"
                + "<td>\(metrics.anomalous)</td>" + cells.map { "<td>\(Markup.number($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</tbody>\n</table>\n<ul class=\"notes\">\n"
        html += "<li>Pixel metrics at the model's resolution (\(report.inputSize.map(String.init).joined(separator: " × "))); "
            + "AUPRO up to FPR \(Markup.number(report.fprLimit, decimals: 2)). Per-class rows: that class's anomalous images with every normal test image.</li>\n"
        if let f1 = report.overall.f1Threshold {
            html += "<li>F1-max threshold (chosen on the test labels, a measure, not a threshold to deploy): \(Markup.number(f1)).</li>\n"
        }
        if let check = report.atThreshold {
            html += "<li>At the saved threshold \(Markup.number(check.threshold)): anomalous images flagged "
                + "\(Markup.number(check.truePositiveRate, decimals: 3)), normal images flagged \(Markup.number(check.falsePositiveRate, decimals: 3)).</li>\n"
        }
        for (metric, reason) in report.overall.undefined.sorted(by: { $0.key < $1.key }) {
            html += "<li>\(Markup.escape(metric)) undefined: \(Markup.escape(reason))</li>\n"
        }
        if !report.skipped.isEmpty {
            html += "<li>Skipped \(report.skipped.count) unreadable files: \(Markup.escape(report.skipped.prefix(5).joined(separator: ", ")))"
                + "\(report.skipped.count > 5 ? " …" : "").</li>\n"
        }
        return html + "</ul>\n"
    }

    private func chartHTML(_ chart: ReportCharts.Chart) -> String {
        switch chart {
        case .svg(let svg): "<figure class=\"chart\">\n\(svg)</figure>\n"
        case .missing(let title, let reason):
            "<figure class=\"chart missing\"><p><strong>\(Markup.escape(title))</strong>: not drawn (\(Markup.escape(reason)))</p></figure>\n"
        }
    }

    private func galleryHTML() -> String {
        var html = "<p>\(gallery.count) test images"
        if let threshold {
            html += ", judged at the \(Markup.escape(threshold.name)) \(Markup.number(threshold.value)): false positives "
                + "(highest score first), false negatives (lowest first), true positives and true negatives (highest first), "
                + "the places shared out so that every outcome is shown."
        } else {
            html += " by falling score."
        }
        html += "</p>\n"
        if threshold != nil {
            let counts = Dictionary(grouping: gallery.compactMap(\.verdict), by: { $0 }).mapValues(\.count)
            html += "<div class=\"filters\"><button data-filter=\"all\" class=\"active\">all</button>"
                + Verdict.allCases.map { "<button data-filter=\"\($0.code)\">\($0.rawValue) (\(counts[$0] ?? 0))</button>" }.joined()
                + "</div>\n"
        }
        if !unavailable.isEmpty {
            html += "<details class=\"unavailable\"><summary>Explanations not shown (\(unavailable.count))</summary><ul>\n"
                + unavailable.map { "<li><strong>\(Markup.escape($0.method))</strong>: \(Markup.escape($0.reason))</li>\n" }.joined()
                + "</ul></details>\n"
        }
        html += "<div class=\"gallery\">\n"
        for entry in gallery {
            let verdict = entry.verdict
            html += "<article class=\"entry \(verdict?.code ?? "")\" data-verdict=\"\(verdict?.code ?? "")\">\n"
                + "<h3>\(Markup.escape(entry.image.name)) <span class=\"badge\">\(verdict?.rawValue ?? "")</span></h3>\n"
                + "<p class=\"meta\">\(Markup.escape(entry.image.category)) · \(entry.image.label.rawValue) · score \(Markup.number(Double(entry.image.score)))</p>\n"
                + tilesHTML(entry.tiles, kind: "tiles")
            if !entry.explanations.isEmpty { html += tilesHTML(entry.explanations, kind: "tiles explanations") }
            html += "</article>\n"
        }
        return html + "</div>\n"
    }

    private func tilesHTML(_ tiles: [GalleryTile], kind: String) -> String {
        "<div class=\"\(kind)\">" + tiles.map { tile in
            // Small pictures (exemplar crops) are enlarged with visible pixels; others are shown at most 256 pixels.
            "<figure><img\(tile.width < 96 ? " class=\"small\"" : "") src=\"\(Markup.escape(tile.file))\" alt=\"\(Markup.escape(tile.caption))\" width=\"\(tile.width)\" "
                + "height=\"\(tile.height)\"/><figcaption>\(Markup.escape(tile.caption))</figcaption></figure>"
        }.joined() + "</div>\n"
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#f6f6f4;margin:0;padding:0 24px 32px}
        header{padding:18px 0 6px;border-bottom:3px solid #0072b2}h1{margin:0;font-size:24px}.subtitle{margin:4px 0 0;color:#555}
        h2{font-size:18px;margin:22px 0 8px}section{max-width:1400px}
        table{border-collapse:collapse;background:#fff}th,td{padding:4px 10px;border-bottom:1px solid #e2e2e2;text-align:left}
        table.facts th{color:#555;font-weight:600;white-space:nowrap}table.facts td{font-family:ui-monospace,monospace;font-size:12.5px;word-break:break-all}
        table.metrics td{text-align:right;font-variant-numeric:tabular-nums}table.metrics thead th{background:#eef3f7}tr.overall{font-weight:700}
        .notes{color:#444;font-size:13px;padding-left:20px}
        .charts{display:flex;flex-wrap:wrap;gap:12px}.chart{margin:0;background:#fff;border:1px solid #ddd}.chart svg{display:block}
        .chart.missing{width:400px;padding:12px;box-sizing:border-box;color:#666}
        .filters button{margin:0 6px 10px 0;padding:4px 10px;border:1px solid #bbb;background:#fff;border-radius:4px;cursor:pointer}
        .filters button.active{background:#0072b2;color:#fff;border-color:#0072b2}
        .gallery{display:flex;flex-direction:column;gap:10px}
        .entry{background:#fff;border:1px solid #ddd;border-left:6px solid #bbb;padding:8px 12px}
        .entry.fp,.entry.fn{border-left-color:#d55e00}.entry.tp{border-left-color:#009e73}.entry.tn{border-left-color:#0072b2}
        .entry h3{margin:0;font-size:15px}.badge{font-size:12px;font-weight:600;color:#fff;background:#888;border-radius:3px;padding:1px 6px}
        .fp .badge,.fn .badge{background:#d55e00}.tp .badge{background:#009e73}.tn .badge{background:#0072b2}
        .meta{margin:2px 0 6px;color:#555}.tiles{display:flex;flex-wrap:wrap;gap:8px}.tiles.explanations{margin-top:6px;padding-top:6px;border-top:1px dashed #ccc}
        figure{margin:0}.tiles img{max-width:256px;max-height:256px;width:auto;height:auto;background:#222;display:block}
        .tiles img.small{width:128px;max-height:none;image-rendering:pixelated}figcaption{font-size:12px;color:#444;max-width:256px}
        footer{margin-top:28px;color:#777;font-size:12px}
        """

    /// The gallery filter: shows the entries of one verdict.
    static let script = """
        document.querySelectorAll('.filters button').forEach(function (button) {
          button.addEventListener('click', function () {
            var wanted = button.getAttribute('data-filter');
            document.querySelectorAll('.filters button').forEach(function (b) { b.classList.toggle('active', b === button); });
            document.querySelectorAll('.entry').forEach(function (entry) {
              entry.style.display = wanted === 'all' || entry.getAttribute('data-verdict') === wanted ? '' : 'none';
            });
          });
        });
        """
}
