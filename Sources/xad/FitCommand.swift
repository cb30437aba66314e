import ArgumentParser
import Foundation
import XADDetect
import XADImage
import XADModels
import XADTensor

/// `xad fit`: fit a detector on a data set's normal training images and save it as one file.
struct FitCommand: ParsableCommand {
    /// Computed, so that the detector list is read from the registry when help is shown.
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "fit",
            abstract: "Fit a detector on normal images and save the model.",
            discussion: """
                Detectors, with their options (key = default), set by --options JSON or --set key=value:
                \(MethodHelp.list(Detectors.descriptions))

                The threshold saved with the model is the --threshold-percentile (default 99th) \
                percentile of the scores of normal training images held out from fitting (every \
                tenth by default, --holdout); the labelled test images are never used. Scores are \
                normalised so that 0.5 is that threshold. The model is written to a temporary file \
                and renamed, so a failed fit leaves nothing behind. stdout gets one summary line \
                (or, with --json -, the summary as JSON).

                On a video data set (e.g. --format ucsd) a video detector is fitted on the \
                training clips; whole clips are held out for the threshold (every tenth, at least \
                one), and the summary counts frames.

                Example:
                  xad fit --detector patchcore --data Demo/deeppcb --out pcb.xadm
                  xad fit --detector padim --set channels=50 --data Demo/deeppcb --out pcb.xadm
                """
        )
    }

    @Option(help: "The detector: \(Detectors.names.joined(separator: ", ")).")
    var detector: String

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "The backbone: \(Backbones.names.joined(separator: ", ")).")
    var backbone = "efficientnet-lite0"

    @Option(help: "Backbone layers, comma-separated (default: the detector's, e.g. stage1,stage2,stage3).")
    var layers: String?

    @Option(help: "The square input size images are resized to.")
    var imageSize = 256

    @OptionGroup var weights: WeightsOption

    @OptionGroup var options: MethodOptionArguments

    @OptionGroup var training: TrainingArguments

    @Option(help: "The share of training images held out to choose the threshold (0: score the training images themselves).")
    var holdout = 0.1

    @Option(help: "The percentile of held-out normal scores used as the threshold.")
    var thresholdPercentile = 99.0

    @Option(help: "Where to write the model (.xadm).")
    var out: String

    @OptionGroup var reading: ImageReadingOptions

    @OptionGroup var output: JSONOutputOptions

    /// The JSON form of the summary line.
    struct Summary: Encodable {
        let detector: String, backbone: String, layers: [String], imageSize: Int, dataset: String
        let trainingImages: Int, calibrationImages: Int, calibratedOnTrainingImages: Bool
        let threshold: Float?, thresholdPercentile: Double, seconds: Double, skipped: [String], model: String
    }

    func validate() throws {
        guard (try? Detectors.named(detector)) != nil else {
            throw ValidationError(DetectorError.unknownDetector(detector, known: Detectors.names).description)
        }
        guard imageSize >= 32 && imageSize <= 4096 else { throw ValidationError("--image-size must be in 32...4096, got \(imageSize)") }
        guard (0..<1).contains(holdout) else { throw ValidationError("--holdout must be in 0..<1, got \(holdout)") }
        guard (0...100).contains(thresholdPercentile) else {
            throw ValidationError("--threshold-percentile must be in 0...100, got \(thresholdPercentile)")
        }
    }

    func run() throws {
        try checkWritable(out, option: "--out")
        try output.checkDestination()
        let console = reading.console
        if let video = try dataset.loadVideo() { return try fitVideo(video, console: console) }
        let data = try dataset.load()
        let fitted = try modelFitting().fit(on: data.train, weightsPath: weights.weights, progress: console.progress, warn: console.warn)
        try fitted.model.write(to: URL(fileURLWithPath: out))
        let setup = fitted.model.detector.setup
        let result = Summary(
            detector: detector, backbone: setup.backbone, layers: setup.layers, imageSize: imageSize, dataset: data.name,
            trainingImages: fitted.trainingImages, calibrationImages: fitted.calibrationImages,
            calibratedOnTrainingImages: fitted.calibratedOnTrainingImages, threshold: fitted.model.threshold,
            thresholdPercentile: thresholdPercentile, seconds: fitted.seconds, skipped: fitted.skipped.map(\.path), model: out)
        try output.publish(result, text: summary(fitted, dataset: data.name))
    }

    /// The fitting the options describe.
    func modelFitting() throws -> ModelFitting {
        ModelFitting(
            detector: detector, backbone: backbone,
            layers: layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
            preprocessing: Preprocessing(imageSize: Size2(imageSize)), options: try options.overrides(),
            training: try training.settings(),
            holdoutFraction: holdout, thresholdPercentile: thresholdPercentile, onBadImage: reading.onBadImage)
    }

    /// "fitted padim (efficientnet-lite0 stage1,stage2; 256x256) on 158 images of mtd in 12.3 s; ..."
    private func summary(_ fitted: FittedModel, dataset: String) -> String {
        let setup = fitted.model.detector.setup
        let calibration = fitted.calibratedOnTrainingImages
            ? "the \(fitted.calibrationImages) training images themselves"
            : "\(fitted.calibrationImages) held-out normal images"
        let threshold = fitted.model.threshold.map { String(format: "%.6g", $0) } ?? "none"
        let skipped = fitted.skipped.isEmpty ? "" : "; skipped \(fitted.skipped.count) unreadable images"
        return "fitted \(detector) (\(setup.backbone) \(setup.layers.joined(separator: ",")); \(imageSize)x\(imageSize)) "
            + "on \(fitted.trainingImages) images of \(dataset) in \(String(format: "%.1f", fitted.seconds)) s; "
            + "threshold \(threshold) (\(formatPercentile) percentile of \(calibration))\(skipped); saved \(out)"
    }

    var formatPercentile: String { String(format: "%g", thresholdPercentile) + "th" }
}
