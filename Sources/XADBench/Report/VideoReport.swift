import Foundation
import XADData
import XADDetect
import XADImage
import XADTensor

/// The HTML report of a video model evaluated on a video data set, written as one folder like
/// ``Report``: `report.html` (inline CSS and SVG), `images/` (the explained alarms) and `video/`
/// (annotated clips, H.264 MP4 or VP9 WebM, played by the page's `<video>` elements).
///
/// The page holds the run summary, the frame- and pixel-level metrics (micro and macro frame
/// AUROC named apart), a table per clip, each clip's score curve with the ground-truth intervals
/// shaded and the threshold (``VideoScoreCurve``), the top alarms explained (the frame with the
/// heat map and boxes, each object's attributes against their normal range and its nearest normal
/// training object; see ``VideoAnnotation``) and the annotated clips of the highest-scoring clips.
///
/// ```swift
/// let evaluation = try VideoEvaluator().evaluation(of: model, on: ped2)
/// let page = try VideoReport(model: model, dataset: ped2, evaluation: evaluation).write(to: URL(fileURLWithPath: "ped2-report"))
/// ```
public struct VideoReport: Sendable {
    /// The annotated clips' folder name inside the report folder.
    public static let videoFolderName = "video"

    public var model: SavedModel
    public var dataset: VideoDataset
    public var evaluation: VideoEvaluation
    /// Title, colour map and ``ReportOptions/explainedImages`` (the alarms explained; default 4).
    public var options: ReportOptions
    /// How many clips are written as annotated videos, the highest-scoring first. Default 1.
    public var annotatedClips: Int
    /// Alarms explained in the same clip are at least this many frames apart. Default 10.
    public var alarmSpacing: Int

    public init(model: SavedModel, dataset: VideoDataset, evaluation: VideoEvaluation, options: ReportOptions = ReportOptions(),
                annotatedClips: Int = 1, alarmSpacing: Int = 10) {
        (self.model, self.dataset, self.evaluation, self.options) = (model, dataset, evaluation, options)
        (self.annotatedClips, self.alarmSpacing) = (annotatedClips, alarmSpacing)
    }

    /// Writes the report into `folder`: built in a temporary folder beside it and renamed into
    /// place (a previous report there is replaced; any other non-empty folder is refused).
    /// - Parameters:
    ///   - folder: the report's folder.
    ///   - progress: stage "report", video frames done of all.
    /// - Returns: the URL of `report.html`.
    /// - Throws: ``ReportError`` for a folder that cannot be written; the decoder's error naming
    ///   a frame that cannot be read again; `ImageError` when the video cannot be encoded.
    @discardableResult
    public func write(to folder: URL, progress: FitProgress? = nil) throws -> URL {
        let started = ContinuousClock.now
        try Report.checkDestination(folder)
        let staging = try ReportFolder.staging(for: folder)
        do {
            let images = staging.appendingPathComponent(Report.imagesFolderName, isDirectory: true)
            let videos = staging.appendingPathComponent(Self.videoFolderName, isDirectory: true)
            try ReportFolder.create(images)
            try ReportFolder.create(videos)
            let annotation = VideoAnnotation(training: dataset.train, mapRange: mapRange(), threshold: model.threshold,
                                             colorMap: options.colorMap)
            let alarms = try explainAlarms(chooseAlarms(), annotation: annotation, into: images)
            let clips = try writeClips(annotation: annotation, into: videos, progress: progress)
            let report = evaluation.report
            let page = VideoReportPage(
                title: options.title ?? "\(report.detector) on \(report.dataset)",
                subtitle: "XADKit video evaluation report · \(Report.timestamp())",
                facts: facts(seconds: started.secondsElapsed), report: report,
                curves: evaluation.clips.map { clip in
                    VideoScoreCurve(title: "clip \(clip.name)", scores: clip.frames.map(\.score), anomalous: clip.anomalousIntervals,
                                    threshold: model.threshold, marked: alarms.filter { $0.clip == clip.name }.map(\.frame))
                },
                alarms: alarms, videos: clips,
                footer: "Made by XADKit \(SavedModel.xadkitVersion) on \(Machine.current.description).")
            try ReportFolder.write(Data(page.html().utf8), to: staging.appendingPathComponent(Report.pageName))
            try ReportFolder.replace(folder, with: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        return folder.appendingPathComponent(Report.pageName)
    }

    /// The highest-scoring frames, at most ``ReportOptions/explainedImages``, at least
    /// ``alarmSpacing`` frames apart within a clip.
    func chooseAlarms() -> [(clip: Int, frame: Int)] {
        let ranked = evaluation.clips.enumerated().flatMap { clip, scored in
            scored.frames.enumerated().map { (clip: clip, frame: $0.offset, score: $0.element.score) }
        }.sorted { $0.score > $1.score }
        var chosen: [(clip: Int, frame: Int)] = []
        for candidate in ranked where chosen.count < options.explainedImages {
            if !chosen.contains(where: { $0.clip == candidate.clip && abs($0.frame - candidate.frame) < alarmSpacing }) {
                chosen.append((candidate.clip, candidate.frame))
            }
        }
        return chosen
    }

    /// Draws each alarm's panel into `folder` and collects what the page says about it.
    private func explainAlarms(_ chosen: [(clip: Int, frame: Int)], annotation: VideoAnnotation,
                               into folder: URL) throws -> [VideoReportPage.Alarm] {
        try chosen.map { clipIndex, frameIndex in
            let clip = evaluation.clips[clipIndex], scored = clip.frames[frameIndex]
            let image = try clip.clip.tensor(at: frameIndex)
            let map = try scored.map(at: clip.clip.frameSize)
            let panel = try annotation.panel(image, map: map, objects: scored.objects,
                                             caption: "clip \(clip.name) frame \(frameIndex) score \(String(format: "%.3g", scored.score))")
            let file = "alarm-\(clip.name)-\(frameIndex).png"
            try Image(tensor: panel).write(to: folder.appendingPathComponent(file), format: .png)
            return VideoReportPage.Alarm(clip: clip.name, frame: frameIndex, score: scored.score, label: scored.label,
                                         image: "\(Report.imagesFolderName)/\(file)",
                                         objects: scored.objects.sorted { $0.score > $1.score })
        }
    }

    /// Writes the highest-scoring clips, every frame annotated, as videos into `folder`.
    private func writeClips(annotation: VideoAnnotation, into folder: URL, progress: FitProgress?) throws -> [VideoReportPage.Video] {
        let chosen = evaluation.clips.sorted { ($0.frames.map(\.score).max() ?? 0) > ($1.frames.map(\.score).max() ?? 0) }
            .prefix(Swift.max(0, annotatedClips))
        let total = chosen.reduce(0) { $0 + $1.frames.count }
        var done = 0
        return try chosen.map { clip in
            var writer: VideoWriter?
            for (index, scored) in clip.frames.enumerated() {
                let image = try clip.clip.tensor(at: index)
                let alarm = model.threshold.map { scored.score >= $0 } ?? false
                var panel = Panel()
                panel.append(try annotation.frame(image, map: try scored.map(at: clip.clip.frameSize), objects: scored.objects),
                             caption: "\(clip.name) \(index) score \(String(format: "%.3g", scored.score))\(alarm ? " ALARM" : "")"
                                + (scored.isAnomalous ? " (truth: anomalous)" : ""))
                let frame = try Image(tensor: try panel.rendered())
                if writer == nil {
                    writer = try VideoWriter(url: folder.appendingPathComponent("\(clip.name).\(VideoWriter.Codec.preferred?.fileExtension ?? "mp4")"),
                                             width: frame.width, height: frame.height, framesPerSecond: 10)
                }
                try writer?.append(frame)
                done += 1
                progress?("report", done, total)
            }
            guard let writer else { throw ReportError.cannotWrite(folder.path, reason: "clip \(clip.name) has no frames") }
            try writer.finish()
            return VideoReportPage.Video(clip: clip.name, file: "\(Self.videoFolderName)/\(writer.url.lastPathComponent)",
                                         mimeType: writer.codec.mimeType, frames: writer.frameCount)
        }
    }

    /// The lowest and highest map values of the evaluation (the maps' colour scale), if any.
    private func mapRange() -> ClosedRange<Float>? {
        let values = evaluation.clips.flatMap { $0.frames.compactMap(\.map) }.flatMap { [$0.scores.min(), $0.scores.max()] }.compactMap { $0 }
        guard let low = values.min(), let high = values.max(), low < high else { return nil }
        return low...high
    }

    private func facts(seconds: Double) -> [(label: String, value: String)] {
        let report = evaluation.report, detector = model.detector
        var rows: [(String, String)] = [
            ("detector", "\(report.detector): \(type(of: detector).summary)"),
            ("data", "\(report.dataset): \(dataset.train.count) training clips, \(report.clips.count) test clips, "
                + "\(report.frames) test frames (\(report.anomalousFrames) anomalous)"),
            ("threshold", model.threshold.map { String(format: "%.6g", $0) } ?? "none saved"),
            ("scoring", String(format: "%.1f s, %.1f frames/s", report.timing.scoringSeconds, report.timing.framesPerSecond)),
            ("report", String(format: "%.1f s", seconds)),
        ]
        if let training = model.training { rows.append(("training", String(format: "%d epochs in %.1f s", training.epochs, training.seconds))) }
        return rows
    }
}
