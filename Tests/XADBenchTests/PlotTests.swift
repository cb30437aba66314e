import Foundation
import Testing
@testable import XADBench

@Suite struct LinearScaleTests {
    @Test func mapsTheDomainOntoPixelsBothWays() {
        let x = LinearScale(domain: 0...2, start: 50, end: 250)
        #expect(x(0) == 50)
        #expect(x(1) == 150)
        #expect(x(2) == 250)
        let y = LinearScale(domain: 0...1, start: 300, end: 100)   // SVG y grows downwards
        #expect(y(0.25) == 250)
    }

    @Test func choosesOneTwoFiveTicksInsideTheDomain() {
        #expect(LinearScale(domain: 0...1, start: 0, end: 1).ticks(approximately: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1] as [Double])
        #expect(LinearScale(domain: 0...0.3, start: 0, end: 1).ticks(approximately: 5) == [0, 0.1, 0.2, 0.3] as [Double])
        #expect(LinearScale(domain: 0...0.3, start: 0, end: 1).ticks(approximately: 6) == [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] as [Double])
        #expect(LinearScale(domain: 3...47, start: 0, end: 1).ticks(approximately: 5) == [10, 20, 30, 40] as [Double])
        #expect(LinearScale.label(0.6, step: 0.2) == "0.6")
        #expect(LinearScale.label(0.15, step: 0.05) == "0.15")
        #expect(LinearScale.label(40, step: 10) == "40")
    }
}

@Suite struct MarkupTests {
    @Test func escapesTheFiveXMLSpecialCharacters() {
        #expect(Markup.escape(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
        #expect(Markup.coordinate(12.5) == "12.5")
        #expect(Markup.coordinate(3.0) == "3")
        #expect(Markup.coordinate(-0.254) == "-0.25")
        #expect(Markup.number(nil) == "-")
        #expect(Markup.number(0.91234, decimals: 3) == "0.912")
    }
}

@Suite struct LineChartTests {
    /// A ROC curve's polyline passes through the curve's points mapped onto the plot area.
    @Test func rocPolylineIsTheCurveScaledOntoThePlotArea() throws {
        let fpr: [Double] = [0, 0, 0.25, 0.5, 1], tpr: [Double] = [0, 0.5, 0.75, 1, 1]
        let chart = LineChart(title: "ROC", xLabel: "false positive rate", yLabel: "true positive rate",
                              series: [.init(name: "image <AUROC>", points: zip(fpr, tpr).map { ChartPoint(x: $0, y: $1) })],
                              size: ChartSize(width: 400, height: 300))
        let svg = try SVGTree.parse(chart.svg())
        #expect(svg.name == "svg")
        let polyline = try #require(svg.elements("polyline", class: "line").first)
        // Plot area: x from 58 to 384 (margins 58 and 16), y from 254 (bottom margin 46) up to 34.
        let expected: [[Double]] = zip(fpr, tpr).map { [58 + $0 * 326, 254 - $1 * 220] }
        let drawn = polyline.points()
        #expect(drawn.count == expected.count)
        for (point, want) in zip(drawn, expected) {
            // tolerance: coordinates are written with two decimals
            #expect(abs(point[0] - want[0]) <= 0.005 && abs(point[1] - want[1]) <= 0.005, "\(point) vs \(want)")
        }
        // The series name is escaped and shown in the legend; axes carry their labels and ticks.
        #expect(svg.elements("g", class: "legend-entry").map { $0.elements("text").first?.text } == ["image <AUROC>"])
        #expect(svg.elements("text", class: "axis-label").map(\.text) == ["false positive rate", "true positive rate"])
        #expect(svg.elements("g", class: "tick").count == 12)
    }

    /// Points closer than a quarter pixel are drawn once, and a shaded area closes on y = 0.
    @Test func denseCurvesAreThinnedAndAreasClosed() throws {
        let dense = (0...10_000).map { ChartPoint(x: Double($0) / 10_000 * 0.3, y: sqrt(Double($0) / 10_000)) }
        let chart = LineChart(title: "PRO", xLabel: "FPR", yLabel: "PRO", xDomain: 0...0.3,
                              series: [.init(name: "PRO", points: dense, shadesArea: true)], notes: ["AUPRO 0.667"])
        let svg = try SVGTree.parse(chart.svg())
        let drawn = try #require(svg.elements("polyline", class: "line").first).points()
        // A monotone path across 326 x 220 pixels visits at most (326 + 220) x 4 quarter pixels.
        #expect(drawn.count <= 2_184)
        #expect(drawn.count > 300)
        #expect(drawn.last == [384, 34])          // the last point is kept exactly
        let area = try #require(svg.elements("polygon", class: "area").first).points()
        #expect(area.first == [58, 254] && area.last == [384, 254])
        #expect(svg.elements("text", class: "note").map(\.text) == ["AUPRO 0.667"])
    }
}

@Suite struct HistogramTests {
    @Test func countsEachGroupInSharedBinsAndMarksTheThreshold() throws {
        let histogram = Histogram(title: "scores", xLabel: "score",
                                  groups: [.init(name: "normal", values: [0, 0.1, 0.2, 0.2, 0.9], color: ChartColors.blue),
                                           .init(name: "anomalous", values: [0.6, 0.8, 1.0], color: ChartColors.vermillion)],
                                  binCount: 4, threshold: 0.5)
        let bins = histogram.bins
        #expect(bins.edges == [0, 0.25, 0.5, 0.75, 1] as [Double])
        #expect(bins.counts == [[4, 0, 0, 1], [0, 0, 1, 2]])

        let svg = try SVGTree.parse(histogram.svg())
        let groups = svg.elements("g", class: "group")
        #expect(groups.map { $0.attributes["data-name"] } == ["normal", "anomalous"])
        let normalBars = groups[0].elements("rect", class: "bar")
        #expect(normalBars.compactMap { $0.attributes["data-count"] } == ["4", "1"])
        // Bar heights are proportional to counts (the y axis runs to 1.1 x the tallest count).
        let heights = normalBars.compactMap { $0.number("height") }
        #expect(abs(heights[0] / heights[1] - 4) < 0.01)
        #expect(abs(heights[0] - 220 * 4 / 4.4) < 0.01)
        // The threshold line sits at 0.5 on the x axis: halfway across the plot area.
        let line = try #require(svg.elements("line", class: "threshold").first)
        #expect(line.number("x1") == 221)
        #expect(svg.elements("g", class: "legend-entry").count == 3)
    }

    @Test func aThresholdOutsideTheValuesWidensTheBins() {
        let histogram = Histogram(title: "scores", xLabel: "score", groups: [.init(name: "normal", values: [1, 2], color: "red")],
                                  binCount: 2, threshold: 5)
        #expect(histogram.bins.edges == [1, 3, 5] as [Double])
        #expect(histogram.bins.counts == [[2, 0]])
    }
}
