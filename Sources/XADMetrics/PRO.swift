/// The per-region overlap (PRO) curve and the area under it (AUPRO), as anomalib (>= 2.3) defines them.
///
/// Regions are the 8-connected components of each ground-truth mask (see `ConnectedComponents`).
/// At a threshold `t` (a pixel is called a defect when its score `>= t`):
/// - FPR(t) is the share of background pixels (of all images) called defects;
/// - PRO(t) is the mean over all regions of the share of the region's pixels called defects.
/// The curve starts at (0, 0), is cut at `fprLimit` (default 0.3) with a point linearly
/// interpolated at the limit, and AUPRO is its trapezoidal area divided by the limit, so a perfect
/// detector scores 1. anomalib lists one point per distinct score; this curve keeps the points
/// where it turns: consecutive scores that hold only background pixels (a level stretch) are one
/// segment. The polyline, and so the area, is the same.
public struct PROCurve: Sendable, Equatable, Codable {
    /// Non-decreasing false positive rates, from 0 to the limit.
    public let falsePositiveRates: [Double]
    /// The mean per-region overlap at each rate.
    public let overlaps: [Double]

    /// The normalised area under the curve: `∫ PRO d(FPR) / limit` (trapezoidal).
    public var area: Double {
        var sum = 0.0
        for i in 1..<falsePositiveRates.count {
            sum += (falsePositiveRates[i] - falsePositiveRates[i - 1]) * (overlaps[i] + overlaps[i - 1]) / 2
        }
        return sum / (falsePositiveRates.last ?? 1)
    }
}

/// Builds a ``PROCurve`` from tie groups streamed highest score first.
struct PROAccumulator {
    let fprLimit: Double
    private let inverseBackgroundPixels: Double, inverseRegions: Double
    private var falsePositives = 0
    private var overlapSum = 0.0  // Σ over regions of (covered pixels / region size)
    private var rates: [Double] = [0], overlaps: [Double] = [0]
    private(set) var isComplete = false

    init(fprLimit: Double, backgroundPixels: Int, regions: Int) {
        self.fprLimit = fprLimit
        inverseBackgroundPixels = 1 / Double(backgroundPixels)
        inverseRegions = 1 / Double(regions)
    }

    /// Adds a tie group: `background` background pixels and region pixels whose `1 / region size` sum
    /// to `overlapGain`.
    @inline(__always)
    mutating func add(background: Int, overlapGain: Double) {
        guard !isComplete else { return }
        falsePositives += background
        overlapSum += overlapGain
        let rate = min(1, Double(falsePositives) * inverseBackgroundPixels)
        let overlap = min(1, overlapSum * inverseRegions)
        if rate <= fprLimit {
            rates.append(rate)
            overlaps.append(overlap)
            return
        }
        // The first point past the limit: end the curve exactly at the limit.
        if let lastRate = rates.last, let lastOverlap = overlaps.last, lastRate < fprLimit {
            rates.append(fprLimit)
            overlaps.append(lastOverlap + (overlap - lastOverlap) * (fprLimit - lastRate) / (rate - lastRate))
        }
        isComplete = true
    }

    var curve: PROCurve { PROCurve(falsePositiveRates: rates, overlaps: overlaps) }
}
