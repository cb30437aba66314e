/// The frame scores and labels (`true` = anomalous frame) of one video.
public struct VideoFrames: Sendable {
    /// The video's name, used in error messages.
    public let name: String
    /// One anomaly score per frame, in frame order.
    public let scores: [Double]
    /// One label per frame: `true` for an anomalous frame.
    public let labels: [Bool]

    /// - Throws: ``MetricsError`` naming the video when counts differ, it is empty or a score is not finite.
    public init<Score: BinaryFloatingPoint>(name: String, scores: [Score], labels: [Bool]) throws {
        try validate(scores, labels, name)
        self.name = name
        self.scores = scores.map { Double($0) }
        self.labels = labels
    }
}

/// Frame-level AUROC of a set of videos, both ways the literature reports it.
///
/// - micro: every frame of every video in one ranking (scores must be comparable across videos);
/// - macro: the mean of each video's own AUROC. Videos whose frames are all normal (or all
///   anomalous) have no AUROC; they are left out and ``macroVideoCount`` says how many counted.
public struct FrameAUROC: Sendable, Equatable, Codable {
    /// AUROC of all frames of all videos pooled.
    public let micro: Double
    /// The mean of the per-video AUROCs.
    public let macro: Double
    /// The number of videos with both classes, which the macro mean averages.
    public let macroVideoCount: Int

    /// - Throws: ``MetricsError`` when there are no videos, the pooled frames hold one class only,
    ///   or no single video holds both classes.
    public init(videos: [VideoFrames]) throws {
        guard !videos.isEmpty else { throw MetricsError(.empty, "frame AUROC", "no videos given") }
        micro = try auroc(scores: videos.flatMap(\.scores), labels: videos.flatMap(\.labels))
        let perVideo = try videos.filter { $0.labels.contains(true) && $0.labels.contains(false) }
            .map { try auroc(scores: $0.scores, labels: $0.labels) }
        guard !perVideo.isEmpty else {
            throw MetricsError(.undefined, "macro frame AUROC", "no video has both normal and anomalous frames")
        }
        macro = perVideo.reduce(0, +) / Double(perVideo.count)
        macroVideoCount = perVideo.count
    }
}

extension BinaryRanking {
    /// The equal error rate: the point of the ROC curve, linearly interpolated between its
    /// operating points, where the false positive rate equals the miss rate (1 − TPR).
    /// This is what `brentq(lambda x: 1 - x - interp1d(fpr, tpr)(x), 0, 1)` computes.
    public func equalErrorRate() throws -> Double {
        let curve = try rocCurve()
        let fpr = curve.falsePositiveRates, tpr = curve.truePositiveRates
        // fpr + tpr − 1 rises from −1 to 1 along the curve; find where it crosses 0.
        for i in 1..<fpr.count {
            let before = fpr[i - 1] + tpr[i - 1] - 1, after = fpr[i] + tpr[i] - 1
            guard before <= 0 && after >= 0 else { continue }
            if after == before { return fpr[i - 1] }
            return fpr[i - 1] + (fpr[i] - fpr[i - 1]) * (-before / (after - before))
        }
        return fpr[fpr.count - 1]  // unreachable: the last point is (1, 1)
    }
}
