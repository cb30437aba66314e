import Foundation
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADTensor

/// Scores a video data set's test clips with a fitted video detector and measures it the ways the
/// video literature reports: frame-level AUROC micro (every frame of every clip in one ranking)
/// and macro (the mean of the clips' own AUROCs, over clips with both normal and anomalous
/// frames), the equal error rate of the pooled frames, pixel AUROC where the clips have masks and
/// the detector makes maps, and RBDC/TBDC (Ramachandra et al. 2020) from the detector's boxes.
///
/// - Boxes: each frame's `ObjectEvidence` boxes scored by the object's score; a detector
///   without objects but with maps gives the connected regions of its map at or above
///   ``mapRegionLevel`` of the frame's map maximum, scored by their highest map value.
/// - Ground truth regions are the connected regions of each mask; a region continues the track
///   of the previous frame's nearest region whose centre is within the larger box's diagonal
///   (fast objects need not overlap their previous place), else starts a track.
/// - Pixel AUROC is measured at the frame size divided by ``pixelDownscale`` (maps bilinear,
///   masks nearest), which keeps thousands of frames in memory.
///
/// ```swift
/// let ped2 = try UCSDPed().loadVideo(URL(fileURLWithPath: "ucsd_ped2"))
/// let evaluation = try VideoEvaluator().evaluation(of: try SavedModel.load(modelURL), on: ped2)
/// print(evaluation.report.frameAUROCMicro ?? .nan, evaluation.report.frameAUROCMacro ?? .nan)
/// ```
public struct VideoEvaluator: Sendable {
    /// Pixel metrics are measured at the frame size divided by this. Default 4.
    public var pixelDownscale: Int
    /// The IoU a box needs with a ground-truth region to detect it (RBDC/TBDC's β). Default 0.1.
    public var overlap: Double
    /// The share of a track's regions that must be detected (TBDC's α). Default 0.1.
    public var trackFraction: Double
    /// Map regions for RBDC/TBDC are the pixels at or above this share of the frame's map
    /// maximum (detectors without objects only). Default 0.5.
    public var mapRegionLevel: Float
    /// Map regions smaller than this many pixels (at the frame size) are ignored. Default 16.
    public var minimumRegionArea: Int

    public init(pixelDownscale: Int = 4, overlap: Double = 0.1, trackFraction: Double = 0.1,
                mapRegionLevel: Float = 0.5, minimumRegionArea: Int = 16) {
        self.pixelDownscale = pixelDownscale
        self.overlap = overlap
        self.trackFraction = trackFraction
        self.mapRegionLevel = mapRegionLevel
        self.minimumRegionArea = minimumRegionArea
    }

    /// Evaluates a saved video model, also checking its saved threshold on the test frames.
    /// - Throws: ``VideoEvaluationError/notAVideoModel(detector:)`` for a model of an image
    ///   detector; see ``evaluation(of:on:threshold:progress:)``.
    public func evaluation(of model: SavedModel, on dataset: VideoDataset, progress: FitProgress? = nil) throws -> VideoEvaluation {
        guard let detector = model.detector as? any VideoAnomalyDetector else {
            throw VideoEvaluationError.notAVideoModel(detector: type(of: model.detector).name)
        }
        return try evaluation(of: detector, on: dataset, threshold: model.threshold.map(Double.init), progress: progress)
    }

    /// Scores every test clip of `dataset` and measures the detector.
    /// - Parameters:
    ///   - detector: the fitted video detector.
    ///   - dataset: the video data set; only its test clips are read.
    ///   - threshold: a decision threshold on raw frame scores to check, if any.
    ///   - progress: stage "scoring", frames done of all test frames.
    /// - Throws: ``VideoEvaluationError/noTestClips(_:)`` without test clips; the detector's or
    ///   decoder's error naming the clip and frame; `MetricsError` for non-finite scores.
    public func evaluation(of detector: any VideoAnomalyDetector, on dataset: VideoDataset, threshold: Double? = nil,
                           progress: FitProgress? = nil) throws -> VideoEvaluation {
        guard !dataset.test.isEmpty else { throw VideoEvaluationError.noTestClips(dataset.name) }
        guard pixelDownscale >= 1 else { throw VideoEvaluationError.invalidSetting("pixelDownscale must be at least 1, got \(pixelDownscale)") }
        let started = ContinuousClock.now
        let total = dataset.test.reduce(0) { $0 + $1.count }
        var clips: [ScoredClip] = []
        var done = 0
        for clip in dataset.test {
            let offset = done
            let result = try detector.score(clip: clip) { _, frame, _ in progress?("scoring", offset + frame, total) }
            guard result.frames.count == clip.count else {
                throw VideoEvaluationError.frameCount(clip: clip.name, scored: result.frames.count, frames: clip.count)
            }
            clips.append(try ScoredClip(clip: clip, result: result, downscale: pixelDownscale))
            done += clip.count
            progress?("scoring", done, total)
        }
        let scoringSeconds = started.secondsElapsed
        let metricsStarted = ContinuousClock.now
        var report = try measure(clips, dataset: dataset.name, detector: type(of: detector).name, threshold: threshold)
        report.timing = VideoEvaluationReport.Timing(scoringSeconds: scoringSeconds, metricsSeconds: metricsStarted.secondsElapsed,
                                                     framesPerSecond: Double(total) / Swift.max(scoringSeconds, 1e-9))
        return VideoEvaluation(report: report, clips: clips)
    }

    /// Every metric of the scored clips; an undefined one is nil, with its reason.
    func measure(_ clips: [ScoredClip], dataset: String, detector: String, threshold: Double?) throws -> VideoEvaluationReport {
        var report = VideoEvaluationReport(dataset: dataset, detector: detector, clips: clips,
                                           pixelDownscale: pixelDownscale)
        func record(_ name: String, _ body: () throws -> Void) throws {
            do { try body() } catch let error as MetricsError where error.kind == .undefined || error.kind == .empty {
                report.undefined[name] = error.message
            }
        }
        let videos = try clips.map { try VideoFrames(name: $0.name, scores: $0.frames.map(\.score), labels: $0.frames.map(\.isAnomalous)) }
        try record("frame_auroc_micro") { report.frameAUROCMicro = try auroc(scores: videos.flatMap(\.scores), labels: videos.flatMap(\.labels)) }
        try record("frame_auroc_macro") {
            let both = try FrameAUROC(videos: videos)
            (report.frameAUROCMacro, report.macroClipCount) = (both.macro, both.macroVideoCount)
        }
        try record("equal_error_rate") {
            report.equalErrorRate = try BinaryRanking(scores: videos.flatMap(\.scores), labels: videos.flatMap(\.labels)).equalErrorRate()
        }
        let masked = clips.flatMap { $0.frames.filter { $0.mask != nil && $0.map != nil } }
        report.pixelFrames = masked.count
        try record("pixel_auroc") {
            guard !masked.isEmpty else {
                throw MetricsError(.undefined, "pixel AUROC", clips.contains { $0.hasMasks } ? "the detector makes no anomaly maps" : "no test clip has pixel masks")
            }
            report.pixelAUROC = try PixelMetrics(maps: masked.compactMap(\.map), masks: masked.compactMap(\.mask)).auroc()
        }
        try record("rbdc") {
            let detection = try RegionTrackDetection(
                detections: detectionBoxes(clips), tracks: groundTruthTracks(clips),
                frameCount: Swift.max(1, clips.filter(\.hasMasks).reduce(0) { $0 + $1.frames.count }),
                overlap: overlap, trackFraction: trackFraction)
            (report.rbdc, report.tbdc) = (detection.rbdc, detection.tbdc)
        }
        if report.rbdc == nil, let reason = report.undefined["rbdc"] { report.undefined["tbdc"] = reason }
        report.atThreshold = threshold.map { VideoEvaluationReport.ThresholdCheck($0, clips) }
        return report
    }
}

/// Why a video evaluation could not be made.
public enum VideoEvaluationError: StatusReportingError, CustomStringConvertible, Equatable {
    case noTestClips(String)
    /// The model's detector scores single images.
    case notAVideoModel(detector: String)
    /// A detector returned another number of frame results than the clip has frames.
    case frameCount(clip: String, scored: Int, frames: Int)
    case invalidSetting(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .noTestClips: .data
        case .notAVideoModel, .invalidSetting: .usage
        case .frameCount: .internal
        }
    }

    public var description: String {
        switch self {
        case .noTestClips(let dataset): "\(dataset): the data set has no test clips to evaluate on"
        case .notAVideoModel(let detector):
            "the model's detector \(detector) scores single images, and this is a video data set: fit a video detector on it (xad fit --detector with one that scores clips), or evaluate this model on an image data set"
        case .frameCount(let clip, let scored, let frames): "clip \(clip): the detector scored \(scored) frames of \(frames)"
        case .invalidSetting(let message): message
        }
    }
}
