/// Overlaid histograms drawn as SVG, e.g. the image scores of normal and of anomalous test
/// images, with a decision threshold marked as a vertical line.
///
/// All groups share one set of equal-width bins spanning every value (and the threshold). Bars
/// are half transparent, so overlapping groups stay visible.
///
/// ```swift
/// let histogram = Histogram(title: "Image scores", xLabel: "score",
///                           groups: [.init(name: "normal", values: normalScores, color: ChartColors.blue),
///                                    .init(name: "anomalous", values: anomalousScores, color: ChartColors.vermillion)],
///                           threshold: 0.42, thresholdLabel: "saved threshold")
/// histogram.bins.counts   // [[3, 9, ...], [0, 1, ...]], one row per group
/// ```
public struct Histogram: Sendable {
    /// One set of values with its name and CSS colour.
    public struct Group: Sendable {
        public var name: String
        public var values: [Double]
        public var color: String

        public init(name: String, values: [Double], color: String) {
            (self.name, self.values, self.color) = (name, values, color)
        }
    }

    /// Bin edges (`binCount + 1`, ascending) and, per group, the count in each bin. A value
    /// falls in bin `i` when `edges[i] <= value < edges[i + 1]`; the largest value goes in the
    /// last bin.
    public struct Bins: Sendable, Equatable {
        public var edges: [Double]
        public var counts: [[Int]]
    }

    public var title: String
    public var xLabel: String, yLabel: String
    public var groups: [Group]
    /// The number of bins. Default 30.
    public var binCount: Int
    /// A threshold to mark on the x axis, and its legend text.
    public var threshold: Double?, thresholdLabel: String
    public var size: ChartSize

    public init(title: String, xLabel: String, yLabel: String = "images", groups: [Group], binCount: Int = 30,
                threshold: Double? = nil, thresholdLabel: String = "threshold", size: ChartSize = ChartSize()) {
        (self.title, self.xLabel, self.yLabel, self.groups) = (title, xLabel, yLabel, groups)
        (self.binCount, self.threshold, self.thresholdLabel, self.size) = (Swift.max(1, binCount), threshold, thresholdLabel, size)
    }

    /// The bins over every finite value and the threshold (non-finite values are not counted).
    public var bins: Bins {
        let values = groups.flatMap(\.values).filter(\.isFinite) + [threshold].compactMap { $0 }.filter(\.isFinite)
        var lower = values.min() ?? 0, upper = values.max() ?? 1
        if upper <= lower { (lower, upper) = (lower - 0.5, upper + 0.5) }
        let width = (upper - lower) / Double(binCount)
        let edges = (0...binCount).map { lower + Double($0) * width }
        let counts = groups.map { group in
            var counts = [Int](repeating: 0, count: binCount)
            for value in group.values where value.isFinite {
                counts[Swift.min(binCount - 1, Swift.max(0, Int((value - lower) / width)))] += 1
            }
            return counts
        }
        return Bins(edges: edges, counts: counts)
    }

    /// The chart as one `<svg>` element; each bar is a `<rect class="bar">` with its group and count.
    public func svg() -> String {
        let bins = bins, c = Markup.coordinate
        let tallest = bins.counts.flatMap { $0 }.max() ?? 0
        let top = Double(Swift.max(1, tallest)) * 1.1
        let frame = ChartFrame(size: size, title: title, xLabel: xLabel, yLabel: yLabel,
                               xDomain: (bins.edges.first ?? 0)...(bins.edges.last ?? 1), yDomain: 0...top)
        var svg = frame.opening(kind: "histogram")
        for (group, counts) in zip(groups, bins.counts) {
            let color = Markup.escape(group.color)
            svg += "<g class=\"group\" data-name=\"\(Markup.escape(group.name))\" fill=\"\(color)\" fill-opacity=\"0.55\" "
                + "stroke=\"\(color)\" stroke-width=\"0.8\">\n"
            for (index, count) in counts.enumerated() where count > 0 {
                let left = frame.x(bins.edges[index]), right = frame.x(bins.edges[index + 1])
                let barTop = frame.y(Double(count))
                svg += "<rect class=\"bar\" data-count=\"\(count)\" x=\"\(c(left))\" y=\"\(c(barTop))\" "
                    + "width=\"\(c(right - left))\" height=\"\(c(frame.y.start - barTop))\"/>\n"
            }
            svg += "</g>\n"
        }
        var legend = groups.map { (name: "\($0.name) (\($0.values.count))", color: $0.color, dashed: false) }
        if let threshold, threshold.isFinite {
            let at = c(frame.x(threshold))
            svg += "<line class=\"threshold\" x1=\"\(at)\" y1=\"\(c(frame.y.start))\" x2=\"\(at)\" y2=\"\(c(frame.y.end))\" "
                + "stroke=\"#222222\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
            legend.append((name: "\(thresholdLabel) \(Markup.number(threshold, decimals: 3))", color: "#222222", dashed: true))
        }
        return svg + frame.legend(legend, atBottom: false) + "</svg>\n"
    }
}
