import Foundation
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADTensor

/// What ``VideoEvaluator/evaluation(of:on:threshold:progress:)`` returns: the measured report and
/// every scored test clip, in data set order, for score curves and reports.
public struct VideoEvaluation: Sendable {
    public var report: VideoEvaluationReport
    public var clips: [ScoredClip]

    public init(report: VideoEvaluationReport, clips: [ScoredClip]) {
        self.report = report
        self.clips = clips
    }
}

/// One scored test clip: the clip (frames, labels, masks) and a result per frame.
public struct ScoredClip: Sendable {
    public let clip: VideoClip
    public let frames: [ScoredFrame]

    /// The clip's name, e.g. `"01"`.
    public var name: String { clip.name }
    /// Whether every frame has a pixel mask.
    public var hasMasks: Bool { clip.hasMasks }

    public init(clip: VideoClip, frames: [ScoredFrame]) {
        self.clip = clip
        self.frames = frames
    }

    /// The detector's result with each map and mask reduced by `downscale` (masks are read here).
    init(clip: VideoClip, result: ClipResult, downscale: Int) throws {
        let reduced = Size2(height: Swift.max(1, clip.frameSize.height / downscale), width: Swift.max(1, clip.frameSize.width / downscale))
        let frames = try result.frames.enumerated().map { index, frame in
            let name = "clip \(clip.name) frame \(index)"
            let map = try frame.map.map { map in
                let small = try map.reshaped([1, 1, map.shape[map.rank - 2], map.shape[map.rank - 1]]).resized(to: reduced)
                return try ScoreMap(height: reduced.height, width: reduced.width, scores: small.scalars, name: name)
            }
            var mask: DefectMask?, regions: [PixelBox] = []
            if clip.masks[index] != nil {
                let full = try clip.sample(at: index).load().mask
                let small = try full.resized(to: reduced, mode: .nearest)
                mask = try DefectMask(height: reduced.height, width: reduced.width, values: small.scalars, name: name)
                regions = try BinaryMask(width: full.shape[3], height: full.shape[2], pixels: full.scalars.map { $0 > 0.5 })
                    .regions().map(\.box)
            }
            return ScoredFrame(score: frame.score, rawScore: frame.rawScore, label: clip.labels[index], objects: frame.objects,
                               map: map, mask: mask, truthRegions: regions)
        }
        self.init(clip: clip, frames: frames)
    }

    /// The spans of consecutive anomalous frames, as 0-based frame ranges.
    public var anomalousIntervals: [Range<Int>] {
        var intervals: [Range<Int>] = [], start: Int?
        for (index, frame) in frames.enumerated() {
            if frame.isAnomalous, start == nil { start = index }
            if !frame.isAnomalous, let first = start { intervals.append(first..<index); start = nil }
        }
        if let start { intervals.append(start..<frames.count) }
        return intervals
    }
}

/// One scored frame: its scores and evidence, and its map and mask at the evaluation's reduced
/// resolution (``VideoEvaluator/pixelDownscale``).
public struct ScoredFrame: Sendable {
    /// The final (temporally smoothed) score and the score before smoothing.
    public let score: Float, rawScore: Float
    public let label: Label
    /// The objects the detector reported, with their boxes at the frame's size.
    public let objects: [ObjectEvidence]
    /// The anomaly map, reduced; nil when the detector makes none.
    public let map: ScoreMap?
    /// The ground-truth mask, reduced; nil where the clip has none.
    public let mask: DefectMask?
    /// The boxes of the full-size mask's connected regions (empty without a mask).
    public let truthRegions: [PixelBox]

    public init(score: Float, rawScore: Float, label: Label, objects: [ObjectEvidence], map: ScoreMap?, mask: DefectMask?,
                truthRegions: [PixelBox] = []) {
        (self.score, self.rawScore, self.label, self.objects) = (score, rawScore, label, objects)
        (self.map, self.mask, self.truthRegions) = (map, mask, truthRegions)
    }

    public var isAnomalous: Bool { label.isAnomalous }

    /// The map at `size` (bilinear), as `[H, W]`, for drawing.
    public func map(at size: Size2) throws -> Tensor? {
        try map.map { map in
            try Tensor(shape: [1, 1, map.height, map.width], scalars: map.scores).resized(to: size).reshaped([size.height, size.width])
        }
    }
}

extension VideoEvaluator {
    /// Every scored box of the masked clips, frames numbered through the clips in order.
    func detectionBoxes(_ clips: [ScoredClip]) -> [DetectedBox] {
        var boxes: [DetectedBox] = [], offset = 0
        for clip in clips where clip.hasMasks {
            let scale = Double(clip.clip.frameSize.width) / Double(clip.frames.first?.map?.width ?? clip.clip.frameSize.width)
            for (index, frame) in clip.frames.enumerated() {
                if !frame.objects.isEmpty {
                    boxes += frame.objects.map { DetectedBox(frame: offset + index, box: Box($0.box), score: Double($0.score)) }
                } else if let map = frame.map {
                    boxes += mapRegions(map, scale: scale).map { DetectedBox(frame: offset + index, box: $0.box, score: $0.score) }
                }
            }
            offset += clip.frames.count
        }
        return boxes
    }

    /// The connected regions of `map` at or above ``mapRegionLevel`` of its maximum, in frame
    /// pixels (`scale` frame pixels per map pixel), scored by their highest value.
    func mapRegions(_ map: ScoreMap, scale: Double) -> [(box: Box, score: Double)] {
        guard let peak = map.scores.max(), peak > 0 else { return [] }
        let level = peak * mapRegionLevel
        guard let mask = try? BinaryMask(width: map.width, height: map.height, pixels: map.scores.map { $0 >= level }) else { return [] }
        let minimumArea = Swift.max(1, Int((Double(minimumRegionArea) / (scale * scale)).rounded(.up)))
        return mask.regions(minimumArea: minimumArea).map { region in
            let box = region.box
            var best = -Float.infinity
            for y in box.y..<(box.y + box.height) {
                for x in box.x..<(box.x + box.width) where map.scores[y * map.width + x] >= level {
                    best = Swift.max(best, map.scores[y * map.width + x])
                }
            }
            return (Box(x0: Double(box.x) * scale, y0: Double(box.y) * scale,
                        x1: Double(box.x + box.width) * scale, y1: Double(box.y + box.height) * scale), Double(best))
        }
    }

    /// The ground-truth tracks of the masked clips: mask regions linked frame to frame.
    func groundTruthTracks(_ clips: [ScoredClip]) -> [[GroundTruthRegion]] {
        var tracks: [[GroundTruthRegion]] = [], offset = 0
        for clip in clips where clip.hasMasks {
            var open: [Int] = []  // indices into `tracks` of the tracks that reached the previous frame
            for (index, scored) in clip.frames.enumerated() {
                var reached: [Int] = []
                for region in scored.truthRegions {
                    let box = Box(region), frame = offset + index
                    let previous = open.map { ($0, Self.centreDistance(tracks[$0][tracks[$0].count - 1].box, box)) }
                        .filter { $0.1 <= Self.linkingReach(tracks[$0.0][tracks[$0.0].count - 1].box, box) }
                    if let (track, _) = previous.min(by: { $0.1 < $1.1 }), !reached.contains(track) {
                        tracks[track].append(GroundTruthRegion(frame: frame, box: box))
                        reached.append(track)
                    } else {
                        tracks.append([GroundTruthRegion(frame: frame, box: box)])
                        reached.append(tracks.count - 1)
                    }
                }
                open = reached
            }
            offset += clip.frames.count
        }
        return tracks
    }
}

extension VideoEvaluator {
    /// The distance between the centres of two boxes.
    static func centreDistance(_ a: Box, _ b: Box) -> Double {
        let dx = (a.x0 + a.x1 - b.x0 - b.x1) / 2, dy = (a.y0 + a.y1 - b.y0 - b.y1) / 2
        return (dx * dx + dy * dy).squareRoot()
    }

    /// How far a region's centre may move in one frame and stay on its track: the larger box's
    /// diagonal (a fast object need not overlap its previous place).
    static func linkingReach(_ a: Box, _ b: Box) -> Double {
        Swift.max(((a.x1 - a.x0) * (a.x1 - a.x0) + (a.y1 - a.y0) * (a.y1 - a.y0)).squareRoot(),
                  ((b.x1 - b.x0) * (b.x1 - b.x0) + (b.y1 - b.y0) * (b.y1 - b.y0)).squareRoot())
    }
}

extension Box {
    /// The metric box covering the same pixels as `box`.
    init(_ box: PixelBox) {
        self.init(x0: Double(box.x), y0: Double(box.y), x1: Double(box.x + box.width), y1: Double(box.y + box.height))
    }
}
