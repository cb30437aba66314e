import XADImage
import XADMetrics

/// The objects of consecutive measured frames linked into tracks by box overlap, so that a
/// measurement can be taken over an object's recent past instead of one frame: a fragment that
/// flickers for one frame, or a walker whose flow spikes once, then no longer scores alone.
///
/// Each object continues the object of the previous measured frame whose box overlaps it most,
/// if their intersection over union is at least ``minimumOverlap``; ``trackMedians(_:length:)``
/// takes the median of a value over an object and up to `length - 1` of its predecessors.
///
/// ```swift
/// let tracks = ObjectTracks(frames: measured)           // [[MeasuredObject]], one list a frame
/// let speeds = tracks.trackMedians(objects.map(\.speed), length: 8)
/// ```
struct ObjectTracks: Sendable {
    /// The box overlap (IoU) an object needs with an object of the previous frame to continue it.
    static let minimumOverlap = 0.1

    /// For each object (the frames' objects flattened in order), the index of the object it
    /// continues, or nil where it starts a track.
    let predecessor: [Int?]

    /// Links every frame's objects to those of the frame before (the first frame's start tracks).
    init(frames: [[MeasuredObject]]) {
        var predecessor: [Int?] = []
        var previousStart = 0
        var previous: [MeasuredObject] = []
        for objects in frames {
            let start = predecessor.count
            for object in objects {
                let box = Self.box(object.box)
                let overlaps = previous.map { Self.box($0.box).iou(box) }
                let best = overlaps.indices.max { overlaps[$0] < overlaps[$1] }
                predecessor.append(best.flatMap { overlaps[$0] >= Self.minimumOverlap ? previousStart + $0 : nil })
            }
            (previousStart, previous) = (start, objects)
        }
        self.predecessor = predecessor
    }

    /// Per object, the median of `values` (one per object, in the flattened order) over the object
    /// and up to `length - 1` of its predecessors (the upper median of an even count).
    func trackMedians(_ values: [Float], length: Int) -> [Float] {
        values.indices.map { index in
            var track = [values[index]]
            var current = index
            while track.count < length, let earlier = predecessor[current] {
                track.append(values[earlier])
                current = earlier
            }
            track.sort()
            return track[track.count / 2]
        }
    }

    private static func box(_ box: PixelBox) -> Box {
        Box(x0: Double(box.x), y0: Double(box.y), x1: Double(box.x + box.width), y1: Double(box.y + box.height))
    }
}
