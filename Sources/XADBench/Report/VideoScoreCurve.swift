/// One clip's frame scores over time as SVG: the ground-truth anomalous intervals shaded, the
/// score as a line, the decision threshold as a dashed line, and marks on chosen frames (the
/// explained alarms).
///
/// ```swift
/// let curve = VideoScoreCurve(title: "clip 01", scores: clip.frames.map(\.score),
///                             anomalous: clip.anomalousIntervals, threshold: 1.2, marked: [75])
/// let svg = curve.svg()
/// ```
public struct VideoScoreCurve: Sendable {
    public var title: String
    /// One score per frame, in order.
    public var scores: [Float]
    /// The ground-truth anomalous frames, 0-based ranges.
    public var anomalous: [Range<Int>]
    /// The decision threshold on the scores, if any.
    public var threshold: Float?
    /// Frames marked with a dot and their number (e.g. explained alarms).
    public var marked: [Int]
    public var size: ChartSize

    public init(title: String, scores: [Float], anomalous: [Range<Int>], threshold: Float? = nil, marked: [Int] = [],
                size: ChartSize = ChartSize(width: 560, height: 220)) {
        (self.title, self.scores, self.anomalous, self.threshold, self.marked, self.size) = (title, scores, anomalous, threshold, marked, size)
    }

    /// The score axis: from 0 (or the lowest score) to a little above the highest score and threshold.
    var scoreDomain: ClosedRange<Double> {
        let values = scores.map(Double.init).filter(\.isFinite) + (threshold.map { [Double($0)] } ?? [])
        let low = Swift.min(0, values.min() ?? 0), high = values.max() ?? 1
        return low...(high > low ? high + 0.05 * (high - low) : low + 1)
    }

    /// The chart as one `<svg>` element (class `video-score-curve`).
    public func svg() -> String {
        let frameCount = Swift.max(1, scores.count - 1)
        let frame = ChartFrame(size: size, title: title, xLabel: "frame", yLabel: "score",
                               xDomain: 0...Double(frameCount), yDomain: scoreDomain)
        let c = Markup.coordinate
        var svg = frame.opening(kind: "video-score-curve")
        svg += "<g class=\"anomalous-intervals\">\n"
        for interval in anomalous where !interval.isEmpty {
            // An interval covers its frames' half-steps on either side, so a single frame shows.
            let left = frame.x(Swift.max(0, Double(interval.lowerBound) - 0.5))
            let right = frame.x(Swift.min(Double(frameCount), Double(interval.upperBound) - 0.5))
            svg += "<rect class=\"anomalous\" data-first=\"\(interval.lowerBound)\" data-last=\"\(interval.upperBound - 1)\" "
                + "x=\"\(c(left))\" y=\"\(c(frame.y.end))\" width=\"\(c(Swift.max(1, right - left)))\" "
                + "height=\"\(c(frame.y.start - frame.y.end))\" fill=\"\(ChartColors.vermillion)\" fill-opacity=\"0.15\"/>\n"
        }
        svg += "</g>\n"
        let points = scores.enumerated().map { "\(c(frame.x(Double($0.offset)))),\(c(frame.y(Double($0.element))))" }
        svg += "<polyline class=\"scores\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(ChartColors.blue)\" "
            + "stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n"
        if let threshold {
            let y = c(frame.y(Double(threshold)))
            svg += "<line class=\"threshold\" data-value=\"\(threshold)\" x1=\"\(c(frame.x.start))\" y1=\"\(y)\" x2=\"\(c(frame.x.end))\" "
                + "y2=\"\(y)\" stroke=\"\(ChartColors.gray)\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n"
        }
        for index in marked where scores.indices.contains(index) {
            let (x, y) = (c(frame.x(Double(index))), c(frame.y(Double(scores[index]))))
            svg += "<g class=\"mark\" data-frame=\"\(index)\"><circle cx=\"\(x)\" cy=\"\(y)\" r=\"4\" fill=\"\(ChartColors.vermillion)\"/>"
                + "<text x=\"\(x)\" y=\"\(c(frame.y(Double(scores[index])) - 7))\" text-anchor=\"middle\">\(index)</text></g>\n"
        }
        var legend = [("score", ChartColors.blue, false), ("anomalous (truth)", ChartColors.vermillion, false)]
        if threshold != nil { legend.append(("threshold", ChartColors.gray, true)) }
        svg += frame.legend(legend, atBottom: false)
        return svg + "</svg>\n"
    }
}
