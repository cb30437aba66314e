import ArgumentParser
import Foundation
import XADBench
import XADData
import XADDetect
import XADExplain
import XADMetrics
import XADTensor

/// `xad explain-eval`: the quality of each explanation method on a data set's defect images.
struct ExplainEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain-eval",
        abstract: "Measure explanation methods on test images with defect masks: localisation, faithfulness, robustness, complexity.",
        discussion: """
            Each method explains the image score of the first --limit anomalous test images that \
            have a defect mask; every measure is computed per image and averaged, and pixel AUROC \
            and AUPRO pool the pixels of all images. Max-sensitivity re-runs each method \
            --robustness-samples times per image (0 skips it). The randomisation column is the \
            model-parameter randomisation check: the backbone's layers are replaced by seeded \
            random weights cumulatively from the deepest tap the model reads (--randomisation-levels \
            taps, one re-explanation each per image; 0 skips it), and the column is the Spearman rank \
            correlation of the explanation with the most randomised model's (near 1: the method \
            ignores the model); the JSON report keeps every level.

            --preset quick (the default) runs the costly methods and measures at reduced settings \
            (IG 16 steps, RISE 250 masks, KernelSHAP 128 coalitions, 10 deletion steps, 20 \
            correlation runs, 1 randomisation level): 10 images in a few minutes. --preset thorough \
            uses the papers' settings (IG 50 steps, RISE 4000 masks, 3 levels, 100 runs). Progress \
            with an ETA goes to stderr, also when it is a log file (--progress plain).

            Example:
              xad explain-eval --model pcb.xadm --data Demo/deeppcb --methods grad-cam --json -
              xad explain-eval --model padim.xadm --data mtd --format mtd --per-class 2 --occlusion-window 64 --json q.json
            """
    )

    @OptionGroup var modelFile: ModelOptions

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "Comma-separated methods (default: all): \(Explainers.names.joined(separator: ", ")).")
    var methods: String?

    @Option(help: "A folder with one sub-folder of example images per concept and random* sub-folders (for tcav).")
    var concepts: String?

    @Option(help: "At most this many defect images.")
    var limit = 10

    @Option(help: "At most this many defect images of each defect class (default: no cap), so that --limit spreads over the classes.")
    var perClass: Int?

    @Option(help: "Max-sensitivity samples per image (each re-runs the method); 0 skips the measure.")
    var robustnessSamples = 0

    @Option(help: "Faithfulness correlation: random pixel subsets removed per image (default: the preset's, 20 quick, 100 thorough).")
    var correlationRuns: Int?

    @Option(help: "Randomisation check: taps randomised cumulatively from the top (one level each; default: the preset's, 1 quick, 3 thorough); 0 skips the check.")
    var randomisationLevels: Int?

    @Option(help: "Randomisation check: the seed of the random weights.")
    var randomisationSeed: UInt64 = 0

    @OptionGroup var settings: ExplainerSettings

    @OptionGroup var output: JSONOutputOptions

    @OptionGroup var reading: ImageReadingOptions

    @Option(help: "Progress on stderr: plain (lines, also in a log), bar (a terminal line) or none (default: bar on a terminal, plain otherwise; --quiet: none).")
    var progress: ProgressStyle?

    func run() throws {
        try output.checkDestination()
        let preset = settings.preset ?? .quick
        let correlationRuns = self.correlationRuns ?? preset.faithfulness.correlationRuns
        let randomisationLevels = self.randomisationLevels ?? preset.randomisationLevels
        guard limit >= 1 else { throw CommandError.usage("--limit must be at least 1, got \(limit)") }
        guard perClass.map({ $0 >= 1 }) ?? true else { throw CommandError.usage("--per-class must be at least 1") }
        guard correlationRuns >= 2 else { throw CommandError.usage("--correlation-runs must be at least 2, got \(correlationRuns)") }
        guard randomisationLevels >= 0 else { throw CommandError.usage("--randomisation-levels must be 0 or more, got \(randomisationLevels)") }
        let saved = try modelFile.load()
        let context = ExplanationContext(normalImages: saved.trainingImages, conceptFolder: concepts.map { URL(fileURLWithPath: $0) })
        let explainers = Explainers.configured(try settings.explainers(methods ?? "all", defaultPreset: preset), with: context)
        let data = try dataset.load()
        let images: [(name: String, image: Tensor, mask: DefectMask)]
        do { images = try DefectImages(limit: limit, perClass: perClass).load(from: data) } catch let error as BenchmarkDataError {
            throw CommandError.data("\(dataset.data): \(error)")
        }
        let randomisation = randomisationLevels > 0
            ? ModelRandomisation(levels: randomisationLevels, seed: randomisationSeed, weightsPath: modelFile.backbone.weights) : nil
        var faithfulness = preset.faithfulness
        faithfulness.correlationRuns = correlationRuns
        let evaluation = QualityEvaluation(faithfulness: faithfulness, robustnessSamples: robustnessSamples, randomisation: randomisation)
        let console = reading.console
        let printer = ProgressOutput(reading.quiet ? .none : progress ?? .automatic)
        var reports: [QualityEvaluation.MethodReport] = []
        for (index, explainer) in explainers.enumerated() {
            let name = "[\(index + 1)/\(explainers.count)] \(type(of: explainer).name)"
            do {
                reports.append(try evaluation.evaluate(explainer, detector: saved.detector, images: images,
                                                       progress: printer.steps(name, started: Date())))
            } catch let error as ExplainerError {
                console.warn("\(type(of: explainer).name): \(error)")
            }
        }
        try output.publish(reports.map(MethodResult.init), text: Self.table(reports, images: images.count, preset: preset))
    }

    /// One method's report as JSON. The per-image values are a list, not an object keyed by file
    /// name: snake_case key conversion would also rewrite names such as `000.JPG`.
    struct MethodResult: Encodable {
        struct ImageValues: Encodable {
            let image: String
            let values: [String: Double]
        }

        let method: String
        let means: [String: Double]
        let secondsPerImage: Double
        let perImage: [ImageValues]

        init(_ report: QualityEvaluation.MethodReport) {
            (method, means, secondsPerImage) = (report.method, report.means, report.secondsPerImage)
            perImage = report.perImage.keys.sorted().map { ImageValues(image: $0, values: report.perImage[$0] ?? [:]) }
        }
    }

    /// One row per method, one column per measure (means over the images).
    static func table(_ reports: [QualityEvaluation.MethodReport], images: Int, preset: BenchmarkPreset) -> String {
        let header = ["method"] + QualityEvaluation.measureNames + ["s/image"]
        let rows = reports.map { report in
            [report.method] + QualityEvaluation.measureNames.map { report.means[$0].map { String(format: "%.4f", $0) } ?? "-" }
                + [String(format: "%.2f", report.secondsPerImage)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let lines = ([header] + rows).map { row in
            zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return (["explanation quality on \(images) defect images at the \(preset.rawValue) preset (means; pixel AUROC and AUPRO pooled)"] + lines)
            .joined(separator: "\n")
    }
}
