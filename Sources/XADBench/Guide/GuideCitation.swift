import Foundation

/// How the guide cites a measured figure in its reasons.
enum GuideCitation {
    /// `aupro 0.694 on mtd-v1 (10 images, no interval)`, or with its 95% interval, and the
    /// number of seeds when the figure is their mean.
    static func figure(_ measure: String, rows: [BenchmarkRecord], value: Double) -> String {
        let first = rows[0]
        let interval = first.interval.map { "95% interval \(number($0.lowerBound))-\(number($0.upperBound))" } ?? "no interval"
        let seeds = rows.count > 1 ? ", mean of \(rows.count) seeds" : ""
        let options = first.detectorOptions == "{}" ? "" : ", detector options \(first.detectorOptions)"
        return "\(measure) \(number(value)) on \(first.dataset) (\(first.images) images, \(interval)\(seeds)\(options))"
    }

    /// A figure with three significant decimals at most, as the tables print them.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return String(format: abs(value) >= 100 ? "%.1f" : "%.3g", value)
    }
}
