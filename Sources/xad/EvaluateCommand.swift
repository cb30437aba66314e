import ArgumentParser
import Foundation
import XADBench
import XADDetect

/// `xad evaluate`: measure a saved model on a data set's labelled test images.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a saved model on a labelled test set: image AUROC, AP, F1-max, pixel AUROC, AUPRO.",
        discussion: """
            Metrics are given over all test images and per defect class (that class's anomalous \
            images with every normal test image). Pixel metrics are measured at the model's input \
            resolution, masks resized with nearest neighbours. The F1-max threshold is chosen on \
            the test labels (a measure, not a threshold to deploy); the line 'at the saved \
            threshold' shows how the model's own threshold does. stdout gets the table (or, \
            with --json -, the report as JSON).

            On a video data set (e.g. --format ucsd) a video model is measured per frame: frame \
            AUROC micro (all frames pooled) and macro (the mean over clips with both classes), \
            the equal error rate, pixel AUROC where clips have masks, RBDC and TBDC from the \
            detector's boxes; --report then writes the video report (score curves, explained \
            alarms, an annotated clip).

            Example:
              xad evaluate --model pcb.xadm --data Demo/deeppcb --json report.json
              xad evaluate --model ped2.xadm --data ../shared/data/ucsd_ped2 --format ucsd --json ped2.json
            """
    )

    @OptionGroup var modelFile: ModelOptions

    @OptionGroup var dataset: DatasetOptions

    @OptionGroup var output: JSONOutputOptions

    @Option(name: .customLong("report"), help: "Also write the HTML report (as `xad report` does) into this folder.")
    var reportFolder: String?

    @OptionGroup var reportArguments: ReportArguments

    @OptionGroup var reading: ImageReadingOptions

    @OptionGroup var clipSelection: ClipSelection

    func run() throws {
        try output.checkDestination()
        if let reportFolder { try reportArguments.checkDestination(reportFolder) }
        let saved = try modelFile.load()
        if let video = try dataset.loadVideo() { return try evaluateVideo(saved, on: clipSelection.apply(to: video)) }
        let data = try dataset.load()
        let console = reading.console
        let evaluation = try Evaluator(onBadImage: reading.onBadImage)
            .evaluation(of: saved, on: data, progress: console.progress, warn: console.warn)
        let report = evaluation.report
        if let reportFolder {
            let page = try reportArguments.write(Report(model: saved, dataset: data, evaluation: evaluation, options: reportArguments.options),
                                                 to: reportFolder, console: console)
            if !reading.quiet { FileHandle.standardError.write(Data("report: \(page.path)\n".utf8)) }
        }
        try output.publish(report, text: Self.table(report))
    }

    /// The report as a plain-text table, one row for all images and one per defect class.
    static func table(_ report: EvaluationReport) -> String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        let header = ["class", "images", "anomalous", "image AUROC", "AP", "F1-max", "pixel AUROC", "AUPRO"]
        let rows = ([("all", report.overall)] + report.classes.map { ($0.name, $0.metrics) }).map { name, metrics in
            [name, "\(metrics.images)", "\(metrics.anomalous)", cell(metrics.imageAUROC), cell(metrics.averagePrecision),
             cell(metrics.f1Max), cell(metrics.pixelAUROC), cell(metrics.aupro)]
        }
        var lines = ["\(report.dataset): \(report.detector) on \(report.backbone) (\(report.layers.joined(separator: ","))), "
                     + "pixel metrics at \(report.inputSize.map(String.init).joined(separator: "x")), AUPRO up to FPR \(report.fprLimit)"]
        lines += TextTable(header: header, rows: rows).lines
        for (metric, reason) in report.overall.undefined.sorted(by: { $0.key < $1.key }) {
            lines.append("\(metric) undefined: \(reason)")
        }
        if let f1Threshold = report.overall.f1Threshold {
            lines.append("F1-max threshold on the test labels: \(String(format: "%.6g", f1Threshold))")
        }
        if let check = report.atThreshold {
            lines.append("at the saved threshold \(String(format: "%.6g", check.threshold)): "
                         + "anomalous flagged \(cell(check.truePositiveRate)), normal flagged \(cell(check.falsePositiveRate))")
        }
        if !report.skipped.isEmpty { lines.append("skipped \(report.skipped.count) unreadable files") }
        lines.append(String(format: "scored %d images in %.1f s (%.1f images/s); metrics in %.1f s", report.overall.images,
                            report.timing.scoringSeconds, report.timing.imagesPerSecond, report.timing.metricsSeconds))
        return lines.joined(separator: "\n")
    }
}
