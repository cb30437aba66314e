import ArgumentParser
import Foundation
import XADBench
import XADDetect
import XADImage

/// `xad report`: evaluate a saved model on a data set and write the HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Evaluate a saved model and write an HTML report: metrics, curves, and a gallery with maps and explanations.",
        discussion: """
            The report is one folder: report.html (self-contained, opens in any browser, no \
            network) and images/ beside it. It holds the run summary, the metrics table (overall \
            and per defect class), ROC, precision-recall and PRO curves, the score histogram with \
            the threshold, and a gallery of test images (misclassified ones first) with the input, \
            ground truth, anomaly map and predicted mask, plus explanations for the highest-scoring \
            images. The folder is built aside and renamed into place; an existing report there is \
            replaced, any other existing non-empty folder is refused. stdout gets the metrics \
            table and the page's path (or, with --json -, both as JSON). `xad evaluate --report \
            DIR` writes the same report.

            On a video data set (e.g. --format ucsd, --clips to choose test clips) the report of a \
            video model shows the frame-level metrics, a score curve per clip with the \
            ground-truth intervals shaded and the threshold, the --explained highest-scoring \
            frames explained (heat map, boxes, attributes against their normal range, nearest \
            normal training object) and the highest-scoring clip annotated as a video the page plays.

            Example:
              xad report --model mtd.xadm --data data/mtd --format mtd --out mtd-report
              xad report --model ped2.xadm --data ../shared/data/ucsd_ped2 --format ucsd --out ped2-report
            """
    )

    @OptionGroup var modelFile: ModelOptions

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "The report's folder (report.html and images/).")
    var out: String

    @OptionGroup var report: ReportArguments

    @OptionGroup var output: JSONOutputOptions

    @OptionGroup var reading: ImageReadingOptions

    @OptionGroup var clipSelection: ClipSelection

    /// The JSON result: the page's path and the evaluation.
    struct Result: Encodable {
        let page: String
        let evaluation: EvaluationReport
    }

    func run() throws {
        try output.checkDestination()
        try report.checkDestination(out)
        let saved = try modelFile.load()
        if let video = try dataset.loadVideo() { return try reportVideo(saved, on: clipSelection.apply(to: video)) }
        let data = try dataset.load()
        let console = reading.console
        let evaluation = try Evaluator(onBadImage: reading.onBadImage)
            .evaluation(of: saved, on: data, progress: console.progress, warn: console.warn)
        let page = try report.write(Report(model: saved, dataset: data, evaluation: evaluation, options: report.options),
                                    to: out, console: console)
        try output.publish(Result(page: page.path, evaluation: evaluation.report),
                           text: EvaluateCommand.table(evaluation.report) + "\nreport: \(page.path)")
    }
}

/// The report's options, shared by `xad report` and `xad evaluate --report`.
struct ReportArguments: ParsableArguments {
    @Option(help: "Test images shown in the gallery.")
    var gallery = ReportOptions().galleryLimit

    @Option(help: "Gallery images (the highest-scoring) that get explanation panels; 0 for none.")
    var explained = ReportOptions().explainedImages

    @Option(help: "Explanation methods, comma-separated (methods that do not apply are left out and listed in the report).")
    var explainers = ReportOptions().explainers.joined(separator: ",")

    @Option(help: "The colour map of maps and overlays: \(ColorMap.allCases.map(\.rawValue).joined(separator: ", ")).")
    var colorMap: ColorMap = .jet

    func validate() throws {
        guard gallery >= 0 else { throw ValidationError("--gallery must be 0 or more, got \(gallery)") }
        guard explained >= 0 else { throw ValidationError("--explained must be 0 or more, got \(explained)") }
    }

    var options: ReportOptions {
        ReportOptions(galleryLimit: gallery, explainedImages: explained,
                      explainers: explainers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                      colorMap: colorMap)
    }

    /// Refuses, before the evaluation, a `folder` that holds something other than a report.
    func checkDestination(_ folder: String) throws {
        do { try Report.checkDestination(URL(fileURLWithPath: folder)) } catch let error as ReportError {
            throw CommandError.data(error.description)
        }
    }

    /// Writes `report` into `folder` with progress on the console; a folder problem is a data error.
    func write(_ report: Report, to folder: String, console: Console) throws -> URL {
        do {
            return try report.write(to: URL(fileURLWithPath: folder), progress: console.progress)
        } catch let error as ReportError {
            throw CommandError.data(error.description)
        }
    }
}
