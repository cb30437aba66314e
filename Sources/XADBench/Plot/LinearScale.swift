import Foundation

/// Maps a data interval linearly onto a pixel interval, and chooses "nice" ticks for it.
///
/// `start` and `end` are the pixels of the domain's lower and upper bound; a y axis has
/// `start > end` because SVG's y grows downwards.
///
/// ```swift
/// let x = LinearScale(domain: 0...1, start: 50, end: 350)
/// x(0.5)                  // 200
/// x.ticks(approximately: 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
/// ```
public struct LinearScale: Sendable, Equatable {
    /// The data interval.
    public var domain: ClosedRange<Double>
    /// The pixel of `domain.lowerBound`.
    public var start: Double
    /// The pixel of `domain.upperBound`.
    public var end: Double

    public init(domain: ClosedRange<Double>, start: Double, end: Double) {
        self.domain = domain
        self.start = start
        self.end = end
    }

    /// The pixel of `value`: `start + (value - lower) / (upper - lower) · (end - start)`; the
    /// middle of the pixel interval for an empty domain.
    public func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return (start + end) / 2 }
        return start + (value - domain.lowerBound) / span * (end - start)
    }

    /// The step between ticks: the smallest of 1, 2, 5 or 10 times a power of ten that gives at
    /// most about `count` intervals over the domain.
    public func tickStep(approximately count: Int) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite, count > 0 else { return 1 }
        let rough = span / Double(count)
        let power = pow(10, (log10(rough)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough * (1 - 1e-9) } ?? 10 * power
    }

    /// The multiples of ``tickStep(approximately:)`` inside the domain, ascending.
    public func ticks(approximately count: Int) -> [Double] {
        let step = tickStep(approximately: count)
        guard domain.upperBound > domain.lowerBound, step > 0 else { return [domain.lowerBound] }
        let first = (domain.lowerBound / step - 1e-9).rounded(.up)
        let last = (domain.upperBound / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        // Multiplying the index (rather than adding steps) keeps 0.3 from becoming 0.30000000000000004.
        return stride(from: first, through: last, by: 1).map { ($0 * step * 1e12).rounded() / 1e12 + 0 }  // + 0 turns -0 into 0
    }

    /// A tick's label with just enough decimals for `step`: 0.2 with step 0.2, 15 with step 5.
    public static func label(_ value: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
        return String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    }
}
