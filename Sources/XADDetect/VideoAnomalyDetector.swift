import XADImage
import XADTensor

/// A detector that scores the ordered frames of a clip, using time: motion between frames,
/// neighbouring frames, temporal smoothing of the scores.
///
/// It is an ``AnomalyDetector`` (registered, saved and loaded the same way, listed in
/// ``Detectors/builtIn``) whose ``DetectorTraits/input`` is ``DetectorInput/clips``; fitting
/// reads ``FitContext/clips``. A detector that needs neighbouring frames to score one frame
/// answers ``AnomalyDetector/score(batch:)`` with ``DetectorError/scoresClipsOnly(_:)``.
///
/// ```swift
/// let model = try Attributes.fit(FitContext(images: dataset.frames, clips: dataset.train, setup: setup,
///                                           backbone: backbone), options: Attributes.Options())
/// let scored = try model.score(clip: dataset.test[0])
/// print(scored.scores)                       // one smoothed score per frame
/// ```
public protocol VideoAnomalyDetector: AnomalyDetector {
    /// Scores every frame of `clip`, in order. `progress` receives ("scoring <clip>", frame, count).
    func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult
}

extension VideoAnomalyDetector {
    /// Scores every frame of `clip`, in order, without progress reports.
    public func score(clip: any ClipSource) throws -> ClipResult {
        try score(clip: clip, progress: nil)
    }
}

/// What a video detector says about one clip: a result per frame, in order.
public struct ClipResult: Sendable {
    /// The clip's name (``ClipSource/name``).
    public var clip: String
    /// One result per frame, in the clip's order.
    public var frames: [FrameResult]

    public init(clip: String, frames: [FrameResult]) {
        self.clip = clip
        self.frames = frames
    }

    /// The frames' final (smoothed) scores, in order.
    public var scores: [Float] { frames.map(\.score) }
}

/// What a video detector says about one frame, with the evidence an explanation shows.
public struct FrameResult: Sendable {
    /// The frame's final score, after temporal smoothing: higher is more anomalous.
    public var score: Float
    /// The score before temporal smoothing.
    public var rawScore: Float
    /// The anomaly map `[H, W]` at the frame's size, or nil for a detector that makes none.
    public var map: Tensor?
    /// The objects (moving regions) the score was computed from, for attribute-based detectors;
    /// empty for others.
    public var objects: [ObjectEvidence]

    public init(score: Float, rawScore: Float, map: Tensor? = nil, objects: [ObjectEvidence] = []) {
        self.score = score
        self.rawScore = rawScore
        self.map = map
        self.objects = objects
    }
}

/// One object of a frame and why it scored as it did: the attribute scores, the values measured
/// against the normal range, and the most similar normal object seen in training.
public struct ObjectEvidence: Sendable, Codable, Equatable {
    /// Where the object is, in the frame's pixels.
    public var box: PixelBox
    /// The object's score per attribute (e.g. velocity, appearance, shape), calibrated so that
    /// attributes add up.
    public var attributes: [AttributeEvidence]
    /// The nearest normal training object, for an example-based explanation; nil if unknown.
    public var nearestNormal: NormalObjectReference?

    public init(box: PixelBox, attributes: [AttributeEvidence], nearestNormal: NormalObjectReference? = nil) {
        self.box = box
        self.attributes = attributes
        self.nearestNormal = nearestNormal
    }

    /// The object's score: the sum of its attributes' scores.
    public var score: Float { attributes.reduce(0) { $0 + $1.score } }

    /// The attribute that contributes most to the score (the alarm's reason), if any.
    public var drivingAttribute: AttributeEvidence? { attributes.max { $0.score < $1.score } }
}

/// One attribute of an object: its calibrated score and what was measured, in words a person
/// reads beside the normal range (e.g. "speed 9.1 px/frame, normal up to 3.4").
public struct AttributeEvidence: Sendable, Codable, Equatable {
    /// The attribute's name, e.g. `"velocity"`.
    public var name: String
    /// The calibrated score (0 typical of training, 1 at the training maximum).
    public var score: Float
    /// The measured value, in the attribute's unit, and its range in normal training objects.
    public var value: Float
    public var normalRange: ClosedRange<Float>
    /// One line for people: what the value means, e.g. `"moving 9.1 px/frame to the right"`.
    public var description: String

    public init(name: String, score: Float, value: Float, normalRange: ClosedRange<Float>, description: String) {
        self.name = name
        self.score = score
        self.value = value
        self.normalRange = normalRange
        self.description = description
    }
}

/// An object seen in a normal training clip: which clip, which frame, where.
public struct NormalObjectReference: Sendable, Codable, Equatable {
    public var clip: String
    public var frame: Int
    public var box: PixelBox

    public init(clip: String, frame: Int, box: PixelBox) {
        self.clip = clip
        self.frame = frame
        self.box = box
    }
}

extension DetectorError {
    /// The error of a video detector asked to score single images: it needs the frames around each.
    public static func scoresClipsOnly(_ detector: String) -> DetectorError {
        .missingRequirement("\(detector) scores each frame in its clip (it needs the neighbouring frames): score clips of a video data set, not single images")
    }
}
