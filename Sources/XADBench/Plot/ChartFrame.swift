/// The parts every chart shares: size and margins, the two scales, and the SVG of the frame
/// (title, axes with ticks and labels, light grid lines) and of the legend.
struct ChartFrame {
    let width: Double, height: Double
    let title: String, xLabel: String, yLabel: String
    let x: LinearScale, y: LinearScale

    /// Margins that leave room for the title (top), tick labels and axis labels (left, bottom).
    static let margin = (top: 34.0, right: 16.0, bottom: 46.0, left: 58.0)

    init(size: ChartSize, title: String, xLabel: String, yLabel: String,
         xDomain: ClosedRange<Double>, yDomain: ClosedRange<Double>) {
        (width, height) = (Double(size.width), Double(size.height))
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
        let margin = Self.margin
        x = LinearScale(domain: xDomain, start: margin.left, end: width - margin.right)
        y = LinearScale(domain: yDomain, start: height - margin.bottom, end: margin.top)
    }

    /// `<svg ...>` with the title, grid and axes; the chart adds its marks and `</svg>`.
    func opening(kind: String) -> String {
        let c = Markup.coordinate, title = Markup.escape(self.title)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart \(kind)" width="\(c(width))" height="\(c(height))" \
            viewBox="0 0 \(c(width)) \(c(height))" role="img" aria-label="\(title)" font-family="sans-serif" font-size="11">
            <title>\(title)</title>
            <rect class="background" x="0" y="0" width="\(c(width))" height="\(c(height))" fill="#ffffff"/>
            <text class="chart-title" x="\(c(width / 2))" y="20" text-anchor="middle" font-size="13" font-weight="bold">\(title)</text>

            """
        let xStep = x.tickStep(approximately: 5), yStep = y.tickStep(approximately: 5)
        svg += "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
        for tick in x.ticks(approximately: 5) {
            svg += "<line x1=\"\(c(x(tick)))\" y1=\"\(c(y.start))\" x2=\"\(c(x(tick)))\" y2=\"\(c(y.end))\"/>\n"
        }
        for tick in y.ticks(approximately: 5) {
            svg += "<line x1=\"\(c(x.start))\" y1=\"\(c(y(tick)))\" x2=\"\(c(x.end))\" y2=\"\(c(y(tick)))\"/>\n"
        }
        svg += "</g>\n<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
        svg += "<line class=\"x-axis\" x1=\"\(c(x.start))\" y1=\"\(c(y.start))\" x2=\"\(c(x.end))\" y2=\"\(c(y.start))\"/>\n"
        svg += "<line class=\"y-axis\" x1=\"\(c(x.start))\" y1=\"\(c(y.start))\" x2=\"\(c(x.start))\" y2=\"\(c(y.end))\"/>\n"
        for tick in x.ticks(approximately: 5) {
            svg += "<g class=\"tick x\"><line x1=\"\(c(x(tick)))\" y1=\"\(c(y.start))\" x2=\"\(c(x(tick)))\" y2=\"\(c(y.start + 4))\"/>"
                + "<text x=\"\(c(x(tick)))\" y=\"\(c(y.start + 16))\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">"
                + "\(LinearScale.label(tick, step: xStep))</text></g>\n"
        }
        for tick in y.ticks(approximately: 5) {
            svg += "<g class=\"tick y\"><line x1=\"\(c(x.start - 4))\" y1=\"\(c(y(tick)))\" x2=\"\(c(x.start))\" y2=\"\(c(y(tick)))\"/>"
                + "<text x=\"\(c(x.start - 7))\" y=\"\(c(y(tick) + 4))\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">"
                + "\(LinearScale.label(tick, step: yStep))</text></g>\n"
        }
        svg += "</g>\n"
        let middleX = (x.start + x.end) / 2, middleY = (y.start + y.end) / 2
        svg += "<text class=\"axis-label x\" x=\"\(c(middleX))\" y=\"\(c(height - 10))\" text-anchor=\"middle\">\(Markup.escape(xLabel))</text>\n"
        svg += "<text class=\"axis-label y\" x=\"14\" y=\"\(c(middleY))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 14 \(c(middleY)))\">\(Markup.escape(yLabel))</text>\n"
        return svg
    }

    /// A legend box in the plot's upper right (or lower right) corner: a swatch and a name per entry.
    func legend(_ entries: [(name: String, color: String, dashed: Bool)], atBottom: Bool) -> String {
        guard !entries.isEmpty else { return "" }
        let c = Markup.coordinate
        let rowHeight = 15.0
        let boxWidth = Double(entries.map(\.name.count).max() ?? 0) * 6.2 + 34
        let boxHeight = Double(entries.count) * rowHeight + 8
        let left = x.end - boxWidth - 6
        let top = atBottom ? y.start - boxHeight - 6 : y.end + 6
        var svg = "<g class=\"legend\">\n<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(boxWidth))\" height=\"\(c(boxHeight))\" "
            + "fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\"/>\n"
        for (index, entry) in entries.enumerated() {
            let rowY = top + 4 + rowHeight * (Double(index) + 0.5)
            let dash = entry.dashed ? " stroke-dasharray=\"4 3\"" : ""
            svg += "<g class=\"legend-entry\"><line x1=\"\(c(left + 6))\" y1=\"\(c(rowY))\" x2=\"\(c(left + 24))\" y2=\"\(c(rowY))\" "
                + "stroke=\"\(Markup.escape(entry.color))\" stroke-width=\"3\"\(dash)/>"
                + "<text x=\"\(c(left + 29))\" y=\"\(c(rowY + 4))\">\(Markup.escape(entry.name))</text></g>\n"
        }
        return svg + "</g>\n"
    }
}

/// A chart's size in CSS pixels.
public struct ChartSize: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int = 400, height: Int = 300) {
        self.width = width
        self.height = height
    }
}

/// The colours charts use, picked to stay apart for colour-blind readers (Okabe and Ito).
public enum ChartColors {
    public static let blue = "#0072b2"
    public static let orange = "#e69f00"
    public static let vermillion = "#d55e00"
    public static let green = "#009e73"
    public static let gray = "#888888"
}
