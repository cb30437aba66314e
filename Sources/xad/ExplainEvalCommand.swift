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
            --robustness-samples times per image (0 skips it). Randomisation sanity needs a \
            randomised backbone and is reported by the gradient explainers' own check.

            Example:
              xad explain-eval --model pcb.xadm --data Demo/deeppcb --methods grad-cam --json -
            """
    )

    @Option(help: "The saved model (.xadm).")
    var model: String

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "Comma-separated methods (default: all): \(Explainers.names.joined(separator: ", ")).")
    var methods: String?

    @Option(help: "At most this many defect images.")
    var limit = 10

    @Option(help: "Max-sensitivity samples per image (each re-runs the method); 0 skips the measure.")
    var robustnessSamples = 0

    @OptionGroup var output: JSONOutputOptions

    @Option(help: "The backbone's weight file (default: the installed pretrained weights).")
    var weights: String?

    @OptionGroup var reading: ImageReadingOptions

    func run() throws {
        try output.checkDestination()
        guard limit >= 1 else { throw CommandError.usage("--limit must be at least 1, got \(limit)") }
        let explainers = try (methods?.split(separator: ",").map { try Explainers.named(String($0)) }) ?? Explainers.all
        let saved = try SavedModel.load(URL(fileURLWithPath: model), weightsPath: weights)
        let images = try defectImages(try dataset.load())
        let evaluation = QualityEvaluation(robustnessSamples: robustnessSamples)
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

    /// The first `limit` anomalous test images whose mask marks at least one defect pixel.
    private func defectImages(_ data: Dataset) throws -> [(name: String, image: Tensor, mask: DefectMask)] {
        var images: [(name: String, image: Tensor, mask: DefectMask)] = []
        for reference in data.test where reference.label.isAnomalous && images.count < limit {
            let sample = try reference.load()
            let values = sample.mask.scalars
            guard sample.hasMask, values.contains(1) else { continue }
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
