import ArgumentParser
import Foundation
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

    @Option(help: "Faithfulness correlation: random pixel subsets removed per image (default 100).")
    var correlationRuns = 100

    @Option(help: "Randomisation check: taps randomised cumulatively from the top (one level each); 0 skips the check.")
    var randomisationLevels = 3

    @Option(help: "Randomisation check: the seed of the random weights.")
    var randomisationSeed: UInt64 = 0

    @OptionGroup var settings: ExplainerSettings

    @OptionGroup var output: JSONOutputOptions

    @OptionGroup var reading: ImageReadingOptions

    func run() throws {
        try output.checkDestination()
        guard limit >= 1 else { throw CommandError.usage("--limit must be at least 1, got \(limit)") }
        guard perClass.map({ $0 >= 1 }) ?? true else { throw CommandError.usage("--per-class must be at least 1") }
        guard correlationRuns >= 2 else { throw CommandError.usage("--correlation-runs must be at least 2, got \(correlationRuns)") }
        guard randomisationLevels >= 0 else { throw CommandError.usage("--randomisation-levels must be 0 or more, got \(randomisationLevels)") }
        let saved = try modelFile.load()
        let context = ExplanationContext(normalImages: saved.trainingImages, conceptFolder: concepts.map { URL(fileURLWithPath: $0) })
        let explainers = Explainers.configured(try settings.explainers(methods ?? "all"), with: context)
        let images = try defectImages(try dataset.load())
        let randomisation = randomisationLevels > 0
            ? ModelRandomisation(levels: randomisationLevels, seed: randomisationSeed, weightsPath: modelFile.backbone.weights) : nil
        let evaluation = QualityEvaluation(faithfulness: Faithfulness(correlationRuns: correlationRuns),
                                           robustnessSamples: robustnessSamples, randomisation: randomisation)
        let console = reading.console
        var reports: [QualityEvaluation.MethodReport] = []
        for explainer in explainers {
            let name = type(of: explainer).name
            do {
                reports.append(try evaluation.evaluate(explainer, detector: saved.detector, images: images) { done, total in
                    console.progress(name, done, total)
                })
            } catch let error as ExplainerError {
                console.warn("\(name): \(error)")
            }
        }
        try output.publish(reports.map(MethodResult.init), text: Self.table(reports, images: images.count))
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

    /// The first `limit` anomalous test images whose mask marks at least one defect pixel, at
    /// most `perClass` of each class.
    private func defectImages(_ data: Dataset) throws -> [(name: String, image: Tensor, mask: DefectMask)] {
        var images: [(name: String, image: Tensor, mask: DefectMask)] = []
        var taken: [String: Int] = [:]
        for reference in data.test where reference.label.isAnomalous && images.count < limit {
            guard taken[reference.category, default: 0] < perClass ?? limit else { continue }
            let sample = try reference.load()
            let values = sample.mask.scalars
            guard sample.hasMask, values.contains(1) else { continue }
            taken[reference.category, default: 0] += 1
            images.append((reference.name, sample.image,
                           try DefectMask(height: sample.size.height, width: sample.size.width, values: values, name: reference.name)))
        }
        guard !images.isEmpty else { throw CommandError.data("\(dataset.data): no anomalous test image has a defect mask") }
        return images
    }

    /// One row per method, one column per measure (means over the images).
    static func table(_ reports: [QualityEvaluation.MethodReport], images: Int) -> String {
        let header = ["method"] + QualityEvaluation.measureNames + ["s/image"]
        let rows = reports.map { report in
            [report.method] + QualityEvaluation.measureNames.map { report.means[$0].map { String(format: "%.4f", $0) } ?? "-" }
                + [String(format: "%.2f", report.secondsPerImage)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let lines = ([header] + rows).map { row in
            zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return (["explanation quality on \(images) defect images (means; pixel AUROC and AUPRO pooled)"] + lines)
            .joined(separator: "\n")
    }
}
