import XADTensor
/// Correlation coefficients used by the quality measures, in Float64.
public enum Correlation {
    /// Pearson's `r = Σ (xᵢ - x̄)(yᵢ - ȳ) / √(Σ (xᵢ - x̄)² · Σ (yᵢ - ȳ)²)`, as `scipy.stats.pearsonr`.
    /// - Throws: ``QualityError`` when the lengths differ, fewer than two values are given, or
    ///   either side is constant (the coefficient is undefined).
    public static func pearson(_ x: [Double], _ y: [Double]) throws -> Double {
        guard x.count == y.count, x.count >= 2 else {
            throw QualityError("correlation needs two equally long lists of at least 2 values, got \(x.count) and \(y.count)")
        }
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - meanX) * (b - meanY)
            sxx += (a - meanX) * (a - meanX)
            syy += (b - meanY) * (b - meanY)
        }
        guard sxx > 0, syy > 0 else { throw QualityError("correlation is undefined when one side is constant") }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation: Pearson's r of the ranks, ties sharing their average rank
    /// (as `scipy.stats.spearmanr`).
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> Double {
        try pearson(ranks(x), ranks(y))
    }

    /// 1-based ranks in ascending order, ties given the mean of the ranks they span.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let shared = Double(start + end + 1) / 2
            for i in start..<end { ranks[order[i]] = shared }
            start = end
        }
        return ranks
    }
}

/// Why a quality measure could not be computed.
public struct QualityError: StatusReportingError, CustomStringConvertible, Equatable {
    /// A measure undefined on the given maps or masks is a property of the data.
    public var exitStatus: ExitStatus { .data }

    public let description: String
    public init(_ description: String) { self.description = description }
}
