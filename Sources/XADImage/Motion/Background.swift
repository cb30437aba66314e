/// A per-pixel background estimate by running median, for finding moving objects with a static
/// camera.
///
/// Start it from the exact per-pixel median of some frames (``init(median:step:)``), then follow slow
/// changes with the approximate running median of McFarlane & Schofield (1995): each update moves
/// every background pixel `step` toward the new frame, which converges to the median of the
/// pixel's recent values. Foreground is where a frame differs from the background by at least a
/// threshold.
///
/// ```swift
/// var background = try MedianBackground(median: firstFrames)
/// for frame in clip {
///     let moving = try background.foreground(frame, threshold: 0.08)
///     try background.update(with: frame)
/// }
/// ```
public struct MedianBackground: Sendable, Equatable {
    /// The current background.
    public private(set) var background: GrayPlane
    /// How far each update moves a pixel toward the frame (0...1 intensities). Default 1/255.
    public var step: Float

    /// A model starting from `background`.
    public init(background: GrayPlane, step: Float = 1.0 / 255) {
        (self.background, self.step) = (background, step)
    }

    /// A model starting from the exact per-pixel median of `frames` (for an even count, the mean
    /// of the two middle values). Throws when there are no frames or their sizes differ.
    public init(median frames: [GrayPlane], step: Float = 1.0 / 255) throws {
        guard let first = frames.first else { throw ImageError(.invalidArgument, "background model", "no frames to take the median of") }
        try Self.checkSizes(frames, first)
        var values = [Float](repeating: 0, count: first.values.count)
        var column = [Float](repeating: 0, count: frames.count)
        let middle = frames.count / 2
        for i in values.indices {
            for (k, frame) in frames.enumerated() { column[k] = frame.values[i] }
            column.sort()
            values[i] = frames.count % 2 == 1 ? column[middle] : (column[middle - 1] + column[middle]) / 2
        }
        self.init(background: GrayPlane(unchecked: first.width, first.height, values), step: step)
    }

    /// Moves every background pixel `step` toward `frame` (and no further than it).
    public mutating func update(with frame: GrayPlane) throws {
        try Self.checkSizes([frame], background)
        let step = self.step
        for i in background.values.indices {
            let (value, target) = (background.values[i], frame.values[i])
            background.values[i] = target > value ? min(value + step, target) : max(value - step, target)
        }
    }

    /// Pixels where `frame` differs from the background by at least `threshold`.
    public func foreground(_ frame: GrayPlane, threshold: Float) throws -> BinaryMask {
        try FrameDifference.mask(background, frame, threshold: threshold)
    }

    static func checkSizes(_ frames: [GrayPlane], _ reference: GrayPlane) throws {
        for (index, frame) in frames.enumerated() where frame.width != reference.width || frame.height != reference.height {
            throw ImageError(.invalidArgument, "background model",
                             "frame \(index) is \(frame.width)x\(frame.height), the background \(reference.width)x\(reference.height)")
        }
    }
}

/// Differences of two frames, for motion without a background model.
public enum FrameDifference {
    /// `|current - previous|` per pixel. Throws when the sizes differ.
    public static func absolute(_ previous: GrayPlane, _ current: GrayPlane) throws -> GrayPlane {
        try MedianBackground.checkSizes([current], previous)
        return GrayPlane(unchecked: previous.width, previous.height, zip(previous.values, current.values).map { abs($1 - $0) })
    }

    /// Pixels whose absolute difference is at least `threshold`. Throws when the sizes differ.
    public static func mask(_ previous: GrayPlane, _ current: GrayPlane, threshold: Float) throws -> BinaryMask {
        BinaryMask(try absolute(previous, current), threshold: threshold)
    }
}
