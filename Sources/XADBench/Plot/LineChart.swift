/// A line chart drawn as SVG: one polyline per series over shared axes, optionally with the area
/// under a series shaded, a legend and short notes (e.g. "AUROC 0.912").
///
/// Points are mapped linearly onto the plot area; consecutive points that land on the same
/// quarter pixel are drawn as one, so a curve of 10⁵ points stays a small file and looks the same.
///
/// ```swift
/// let roc = LineChart(title: "ROC", xLabel: "false positive rate", yLabel: "true positive rate",
///                     series: [.init(name: "image", points: zip(fpr, tpr).map { ChartPoint(x: $0, y: $1) })])
/// let svg = roc.svg()   // "<svg ...>...</svg>", ready to inline in HTML
/// ```
public struct LineChart: Sendable {
    /// One named line.
    public struct Series: Sendable {
        public var name: String
        public var points: [ChartPoint]
        /// A CSS colour.
        public var color: String
        /// Shade the area between the line and y = 0.
        public var shadesArea: Bool
        /// Draw the line dashed (reference lines such as chance level).
        public var dashed: Bool

        public init(name: String, points: [ChartPoint], color: String = ChartColors.blue,
                    shadesArea: Bool = false, dashed: Bool = false) {
            (self.name, self.points, self.color, self.shadesArea, self.dashed) = (name, points, color, shadesArea, dashed)
        }
    }

    public var title: String
    public var xLabel: String, yLabel: String
    /// The axes' data intervals. Default 0...1 each (rates, precision, recall).
    public var xDomain: ClosedRange<Double>, yDomain: ClosedRange<Double>
    public var series: [Series]
    /// Lines of text shown in the plot's lower right corner.
    public var notes: [String]
    /// Put the legend at the lower right (curves that rise to the upper left) instead of the upper right.
    public var legendAtBottom: Bool
    public var size: ChartSize

    public init(title: String, xLabel: String, yLabel: String, xDomain: ClosedRange<Double> = 0...1,
                yDomain: ClosedRange<Double> = 0...1, series: [Series], notes: [String] = [],
                legendAtBottom: Bool = false, size: ChartSize = ChartSize()) {
        (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel)
        (self.xDomain, self.yDomain, self.series, self.notes) = (xDomain, yDomain, series, notes)
        (self.legendAtBottom, self.size) = (legendAtBottom, size)
    }

    var frame: ChartFrame {
        ChartFrame(size: size, title: title, xLabel: xLabel, yLabel: yLabel, xDomain: xDomain, yDomain: yDomain)
    }

    /// The pixel positions the series' polyline goes through: every point scaled, with runs of
    /// points on the same quarter pixel kept once (the run's last point is kept).
    public func pixelPoints(of series: Series) -> [ChartPoint] {
        let frame = frame
        var kept: [ChartPoint] = []
        func quarter(_ value: Double) -> Double { (value * 4).rounded() }
        for point in series.points where point.x.isFinite && point.y.isFinite {
            let pixel = ChartPoint(x: frame.x(point.x), y: frame.y(point.y))
            if let last = kept.last, quarter(last.x) == quarter(pixel.x), quarter(last.y) == quarter(pixel.y) {
                kept[kept.count - 1] = pixel
            } else {
                kept.append(pixel)
            }
        }
        return kept
    }

    /// The chart as one `<svg>` element.
    public func svg() -> String {
        let frame = frame, c = Markup.coordinate
        var svg = frame.opening(kind: "line-chart")
        for line in series {
            let pixels = pixelPoints(of: line)
            let points = pixels.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ")
            let color = Markup.escape(line.color)
            svg += "<g class=\"series\" data-name=\"\(Markup.escape(line.name))\">\n"
            if line.shadesArea, let first = pixels.first, let last = pixels.last {
                let base = c(frame.y(Swift.max(frame.y.domain.lowerBound, 0)))
                svg += "<polygon class=\"area\" points=\"\(c(first.x)),\(base) \(points) \(c(last.x)),\(base)\" "
                    + "fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            }
            let dash = line.dashed ? " stroke-dasharray=\"5 4\"" : ""
            svg += "<polyline class=\"line\" points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" "
                + "stroke-width=\"\(line.dashed ? 1.2 : 2)\" stroke-linejoin=\"round\"\(dash)/>\n</g>\n"
        }
        svg += frame.legend(series.map { ($0.name, $0.color, $0.dashed) }, atBottom: legendAtBottom)
        for (index, note) in notes.enumerated() {
            let noteY = legendAtBottom ? frame.y.end + 16 + 15 * Double(index) : frame.y.start - 8 - 15 * Double(notes.count - 1 - index)
            let anchor = legendAtBottom ? "start" : "end", noteX = legendAtBottom ? frame.x.start + 8 : frame.x.end - 8
            svg += "<text class=\"note\" x=\"\(c(noteX))\" y=\"\(c(noteY))\" text-anchor=\"\(anchor)\" font-weight=\"bold\">"
                + "\(Markup.escape(note))</text>\n"
        }
        return svg + "</svg>\n"
    }
}

/// A point in data (or pixel) coordinates.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
