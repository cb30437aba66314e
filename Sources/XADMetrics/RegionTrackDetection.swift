/// An axis-aligned box in pixel coordinates: `x0 <= x < x1`, `y0 <= y < y1` (continuous area).
public struct Box: Sendable, Equatable, Codable {
    /// The left, top, right and bottom edges.
    public let x0: Double, y0: Double, x1: Double, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    /// The area, 0 for an empty or inverted box.
    public var area: Double { max(0, x1 - x0) * max(0, y1 - y0) }

    /// Intersection over union with `other` (0 when both are empty).
    public func iou(_ other: Box) -> Double {
        let overlap = Box(x0: max(x0, other.x0), y0: max(y0, other.y0), x1: min(x1, other.x1), y1: min(y1, other.y1)).area
        let union = area + other.area - overlap
        return union > 0 ? overlap / union : 0
    }
}

/// A box a detector reported in one frame, with its anomaly score.
public struct DetectedBox: Sendable, Equatable, Codable {
    /// The frame index (any numbering shared with the ground truth).
    public let frame: Int
    public let box: Box
    /// The detector's anomaly score for the box; higher is more anomalous.
    public let score: Double

    public init(frame: Int, box: Box, score: Double) {
        self.frame = frame
        self.box = box
        self.score = score
    }
}

/// One ground-truth anomalous region: a box in a frame. A track is the list of regions of one
/// anomalous event over its frames.
public struct GroundTruthRegion: Sendable, Equatable, Codable {
    /// The frame index.
    public let frame: Int
    /// Where the anomaly is in that frame.
    public let box: Box

    public init(frame: Int, box: Box) {
        self.frame = frame
        self.box = box
    }
}

/// The region- and track-based detection criteria of Ramachandra, Jones and Vatsavai (2020,
/// "Street Scene"), for detectors that output scored boxes.
///
/// At a score threshold `t`, the detections scoring `>= t` are kept, and:
/// - a ground-truth region is detected when a kept box in its frame has IoU `>= overlap` (β, 0.1);
/// - a track is detected when at least `trackFraction` (α, 0.1) of its regions are detected;
/// - a kept box is a false positive when its IoU with every region of its frame is `< overlap`;
///   the false positive rate is false positives per frame over all `frameCount` frames.
/// RBDC (TBDC) is the trapezoidal area under the detected-region (-track) rate against the false
/// positive rate, from (0, 0) up to one false positive per frame: the curve is cut at 1 with a
/// linearly interpolated point, or held level up to 1 when the detector never reaches it.
public struct RegionTrackDetection: Sendable, Equatable, Codable {
    /// Region-based detection criterion, in 0...1.
    public let rbdc: Double
    /// Track-based detection criterion, in 0...1.
    public let tbdc: Double

    /// - Throws: ``MetricsError`` when there are no tracks or regions, `frameCount` is not positive,
    ///   a score is not finite or a parameter is outside (0, 1].
    public init(detections: [DetectedBox], tracks: [[GroundTruthRegion]], frameCount: Int,
                overlap: Double = 0.1, trackFraction: Double = 0.1) throws {
        guard frameCount > 0 else { throw MetricsError(.invalidArgument, "RBDC/TBDC", "the frame count must be positive") }
        guard overlap > 0 && overlap <= 1, trackFraction > 0 && trackFraction <= 1 else {
            throw MetricsError(.invalidArgument, "RBDC/TBDC", "the IoU threshold and track fraction must be in (0, 1]")
        }
        guard !tracks.isEmpty, tracks.allSatisfy({ !$0.isEmpty }) else {
            throw MetricsError(.undefined, "RBDC/TBDC", "no ground-truth track (or an empty one); the criteria are undefined")
        }
        if let bad = detections.firstIndex(where: { !$0.score.isFinite }) {
            throw MetricsError(.nonFinite, "RBDC/TBDC", "detection \(bad) has score \(detections[bad].score); scores must be finite")
        }
        var detectionsByFrame: [Int: [DetectedBox]] = [:]
        for detection in detections { detectionsByFrame[detection.frame, default: []].append(detection) }
        let regions = tracks.flatMap { $0 }
        var regionsByFrame: [Int: [Box]] = [:]
        for region in regions { regionsByFrame[region.frame, default: []].append(region.box) }

        // The threshold at which each event happens: a region's best matching score, a track's
        // ceil(α n)-th best region, and every unmatched box's own score.
        func detectedAt(_ region: GroundTruthRegion) -> Double {
            detectionsByFrame[region.frame, default: []].filter { $0.box.iou(region.box) >= overlap }
                .map(\.score).max() ?? -.infinity
        }
        let regionEvents = tracks.map { $0.map(detectedAt) }
        let trackEvents = regionEvents.map { scores -> Double in
            let needed = max(1, Int((trackFraction * Double(scores.count) - 1e-9).rounded(.up)))
            return scores.sorted(by: >)[needed - 1]
        }
        let falsePositives = detections.filter { detection in
            !regionsByFrame[detection.frame, default: []].contains { $0.iou(detection.box) >= overlap }
        }.map(\.score)
        rbdc = Self.area(rateEvents: regionEvents.flatMap { $0 }, falsePositives: falsePositives, frameCount: frameCount)
        tbdc = Self.area(rateEvents: trackEvents, falsePositives: falsePositives, frameCount: frameCount)
    }

    /// The area under (false positives per frame, share of events reached) from 0 to 1.
    private static func area(rateEvents: [Double], falsePositives: [Double], frameCount: Int) -> Double {
        let events = (rateEvents.map { ($0, 1, 0) } + falsePositives.map { ($0, 0, 1) })
            .filter { $0.0 > -.infinity }.sorted { $0.0 > $1.0 }
        var area = 0.0, reached = 0, falseCount = 0, lastRate = 0.0, lastFPR = 0.0
        var index = 0
        while index < events.count {
            let threshold = events[index].0
            while index < events.count && events[index].0 == threshold {
                reached += events[index].1
                falseCount += events[index].2
                index += 1
            }
            let rate = Double(reached) / Double(rateEvents.count), fpr = Double(falseCount) / Double(frameCount)
            if fpr >= 1 {
                let atLimit = lastRate + (rate - lastRate) * (1 - lastFPR) / (fpr - lastFPR)  // fpr > lastFPR here
                return area + (1 - lastFPR) * (lastRate + atLimit) / 2
            }
            area += (fpr - lastFPR) * (lastRate + rate) / 2
            lastRate = rate
            lastFPR = fpr
        }
        return area + (1 - lastFPR) * lastRate  // held level up to one false positive per frame
    }
}
