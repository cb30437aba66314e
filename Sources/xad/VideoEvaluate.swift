import Foundation
import XADBench
import XADData
import XADDetect

extension EvaluateCommand {
    /// `xad evaluate` on a video data set: frame-level and pixel-level metrics of a video model,
    /// and the video report with `--report`.
    func evaluateVideo(_ saved: SavedModel, on video: VideoDataset) throws {
        let console = reading.console
        let evaluation = try VideoEvaluator().evaluation(of: saved, on: video, progress: console.progress)
        if let reportFolder {
            let page = try reportArguments.write(VideoReport(model: saved, dataset: video, evaluation: evaluation,
                                                             options: reportArguments.options), to: reportFolder, console: console)
            if !reading.quiet { FileHandle.standardError.write(Data("report: \(page.path)\n".utf8)) }
        }
        try output.publish(evaluation.report, text: Self.videoTable(evaluation.report))
    }

    /// The video report as plain text: the metrics, then one row per clip.
    static func videoTable(_ report: VideoEvaluationReport) -> String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        var lines = ["\(report.dataset): \(report.detector), \(report.clips.count) test clips, \(report.frames) frames "
                     + "(\(report.anomalousFrames) anomalous)"]
        lines += TextTable(header: ["frame AUROC micro", "frame AUROC macro", "EER", "pixel AUROC", "RBDC", "TBDC"],
                           rows: [[cell(report.frameAUROCMicro), cell(report.frameAUROCMacro), cell(report.equalErrorRate),
                                   cell(report.pixelAUROC), cell(report.rbdc), cell(report.tbdc)]]).lines
        lines.append("micro: all frames pooled; macro: mean over the \(report.macroClipCount) clips with normal and anomalous frames")
        lines += TextTable(header: ["clip", "frames", "anomalous", "masks", "frame AUROC"], rows: report.clips.map {
            [$0.name, "\($0.frames)", "\($0.anomalousFrames)", $0.hasMasks ? "yes" : "no", cell($0.frameAUROC)]
        }).lines
        for (metric, reason) in report.undefined.sorted(by: { $0.key < $1.key }) { lines.append("\(metric) undefined: \(reason)") }
        if let check = report.atThreshold {
            lines.append("at the saved threshold \(String(format: "%.6g", check.threshold)): "
                         + "anomalous frames flagged \(cell(check.truePositiveRate)), normal frames flagged \(cell(check.falsePositiveRate))")
        }
        lines.append(String(format: "scored %d frames in %.1f s (%.1f frames/s); metrics in %.1f s", report.frames,
                            report.timing.scoringSeconds, report.timing.framesPerSecond, report.timing.metricsSeconds))
        return lines.joined(separator: "\n")
    }
}

extension ReportCommand {
    /// `xad report` on a video data set: the video evaluation and its report.
    func reportVideo(_ saved: SavedModel, on video: VideoDataset) throws {
        let console = reading.console
        let evaluation = try VideoEvaluator().evaluation(of: saved, on: video, progress: console.progress)
        let page = try report.write(VideoReport(model: saved, dataset: video, evaluation: evaluation, options: report.options),
                                    to: out, console: console)
        try output.publish(VideoResult(page: page.path, evaluation: evaluation.report),
                           text: EvaluateCommand.videoTable(evaluation.report) + "\nreport: \(page.path)")
    }

    /// The JSON result on a video data set: the page's path and the video evaluation.
    struct VideoResult: Encodable {
        let page: String
        let evaluation: VideoEvaluationReport
    }
}

extension ReportArguments {
    /// Writes a video report into `folder` with progress on the console; a folder problem is a data error.
    func write(_ report: VideoReport, to folder: String, console: Console) throws -> URL {
        do {
            return try report.write(to: URL(fileURLWithPath: folder), progress: console.progress)
        } catch let error as ReportError {
            throw CommandError.data(error.description)
        }
    }
}
