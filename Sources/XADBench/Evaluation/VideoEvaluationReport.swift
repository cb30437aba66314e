import XADMetrics

/// What ``VideoEvaluator`` measured on a video data set. `Codable`, for JSON results; the keys
/// say which frame AUROC is which (`frame_auroc_micro`, `frame_auroc_macro` in the CLI's
/// snake_case JSON), since papers report both and the two differ by several points.
public struct VideoEvaluationReport: Codable, Sendable, Equatable {
    /// One test clip's counts and its own frame AUROC (nil when it has one class only).
    public struct Clip: Codable, Sendable, Equatable {
        public var name: String
        public var frames: Int, anomalousFrames: Int
        public var hasMasks: Bool
        public var frameAUROC: Double?
    }

    /// How the saved threshold does on the test frames.
    public struct ThresholdCheck: Codable, Sendable, Equatable {
        /// The raw score threshold; `score >= threshold` is an alarm.
        public var threshold: Double
        /// Anomalous frames flagged, of all anomalous (nil without anomalous frames).
        public var truePositiveRate: Double?
        /// Normal frames flagged, of all normal (nil without normal frames).
        public var falsePositiveRate: Double?

        init(_ threshold: Double, _ clips: [ScoredClip]) {
            let frames = clips.flatMap(\.frames)
            func flagged(_ group: [ScoredFrame]) -> Double? {
                group.isEmpty ? nil : Double(group.count { Double($0.score) >= threshold }) / Double(group.count)
            }
            self.threshold = threshold
            truePositiveRate = flagged(frames.filter(\.isAnomalous))
            falsePositiveRate = flagged(frames.filter { !$0.isAnomalous })
        }
    }

    /// Seconds spent decoding and scoring, and measuring; scoring throughput.
    public struct Timing: Codable, Sendable, Equatable {
        public var scoringSeconds: Double
        public var metricsSeconds: Double
        public var framesPerSecond: Double
    }

    public var dataset: String
    /// The detector's registry name.
    public var detector: String
    /// Test frames, and how many are anomalous.
    public var frames: Int, anomalousFrames: Int
    /// Frame AUROC with every frame of every clip in one ranking.
    public var frameAUROCMicro: Double?
    /// The mean of the clips' own frame AUROCs, over ``macroClipCount`` clips with both classes.
    public var frameAUROCMacro: Double?
    public var macroClipCount: Int
    /// The equal error rate of the pooled frames (where false alarms equal misses).
    public var equalErrorRate: Double?
    /// Pixel AUROC over the frames with masks (normal frames count with empty masks), at the
    /// frame size divided by ``pixelDownscale``.
    public var pixelAUROC: Double?
    public var pixelFrames: Int
    public var pixelDownscale: Int
    /// Region- and track-based detection criteria of the detector's boxes, up to one false
    /// positive per frame.
    public var rbdc: Double?, tbdc: Double?
    /// Why a metric is nil, by metric name (`frame_auroc_macro`, `pixel_auroc`, `rbdc` ...).
    public var undefined: [String: String]
    /// The saved threshold checked on the test frames, when the model has one.
    public var atThreshold: ThresholdCheck?
    public var clips: [Clip]
    public var timing: Timing

    init(dataset: String, detector: String, clips scored: [ScoredClip], pixelDownscale: Int) {
        self.dataset = dataset
        self.detector = detector
        frames = scored.reduce(0) { $0 + $1.frames.count }
        anomalousFrames = scored.reduce(0) { $0 + $1.frames.count(where: \.isAnomalous) }
        (macroClipCount, pixelFrames, undefined) = (0, 0, [:])
        self.pixelDownscale = pixelDownscale
        clips = scored.map { clip in
            let labels = clip.frames.map(\.isAnomalous)
            return Clip(name: clip.name, frames: clip.frames.count, anomalousFrames: labels.count { $0 }, hasMasks: clip.hasMasks,
                        frameAUROC: try? auroc(scores: clip.frames.map(\.score), labels: labels))
        }
        timing = Timing(scoringSeconds: 0, metricsSeconds: 0, framesPerSecond: 0)
    }
}
