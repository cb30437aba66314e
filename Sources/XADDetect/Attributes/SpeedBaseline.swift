import XADImage
import XADTensor

/// The training-free yardstick of the attribute-based detector: a frame's score is the fastest
/// moving object's speed, normalised by image row, smoothed over time. Nothing is learnt: the
/// objects are those of ``Attributes`` (running-median background, frame differencing, connected
/// regions), their speed the 90th percentile of their dense flow's lengths, and the row
/// normalisation a fixed prior (sizes grow linearly from the top row to the bottom; no labels, no
/// training clips).
///
/// ```swift
/// let scores = try SpeedBaseline().scores(clip: ped2.test[0])   // one per frame
/// ```
public struct SpeedBaseline: Sendable {
    /// The object finding and smoothing settings (the attribute options' defaults).
    public var options: Attributes.Options

    public init(options: Attributes.Options = Attributes.Options()) {
        self.options = options
    }

    /// One smoothed score per frame of `clip`: the largest row-normalised object speed (0 for a
    /// frame without objects).
    public func scores(clip: any ClipSource) throws -> [Float] {
        try options.validate(method: "speed baseline")
        let frames = try ObjectMeasurer(options: options, extractor: nil, preprocessing: Preprocessing()).measure(clip)
        let height = try clip.frames.image(at: 0).shape.dropLast().last ?? 1
        let perspective = Perspective(rowPriorForHeight: height)
        let raw = frames.map { objects in objects.map { $0.speed * perspective.factor(for: $0.box) }.max() ?? 0 }
        return Attributes.smoothed(raw, sigma: options.smoothingSigma)
    }
}
