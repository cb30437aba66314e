import Foundation
import XADData
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// The whole of XADKit in one call, as `xad demo` and `make demo` run it: fit detectors on a data
/// set's normal training images, score its held-out test images, explain the most anomalous
/// ones, measure everything and write the HTML report.
///
/// Each detector in ``detectors`` is fitted and calibrated by `ModelFitting` and evaluated by
/// ``Evaluator``. The first detector's ``Report`` is written to ``output`` (`report.html`, with
/// explanation panels by ``explainers`` for its ``explainedImages`` highest-scoring test images),
/// and the other detectors' numbers are added to its run summary; each other detector gets its
/// own report, without explanations, in `output/NAME/`. The first detector's model is saved as
/// `output/NAME.xadm`, ready for `xad predict`.
///
/// ```swift
/// let demo = DemoRun(data: URL(fileURLWithPath: "Demo/deeppcb"), output: URL(fileURLWithPath: "demo-output"))
/// let result = try demo.run()
/// print(result.report, result.table)   // demo-output/report.html, then one row per detector
/// ```
public struct DemoRun: Sendable {
    /// One detector of the demo: its registry name and option overrides (as `xad fit --set`).
    public struct Detector: Sendable, Codable, Equatable {
        /// The registry name, e.g. `"patchcore"`.
        public var name: String
        /// Values replacing the detector's default options, e.g. `coresetRatio = 0.05`.
        public var options: OptionOverrides

        /// `Detector("patchcore")`, or with overrides: `Detector("padim", options: OptionOverrides(["channels": .number(50)]))`.
        public init(_ name: String, options: OptionOverrides = OptionOverrides()) {
            self.name = name
            self.options = options
        }

        /// The detector `name` with the demo's settings: PatchCore keeps 1 % of the patches in
        /// its memory bank (`coresetRatio = 0.01`; at its default 10 % the coreset selection over
        /// the 48 templates' 196,608 patches takes about 14 s of CPU instead of 2 s, and scoring
        /// against the bank ten times as long), any other detector its defaults.
        public static func standard(_ name: String) -> Detector {
            name == PatchCore.name ? Detector(name, options: OptionOverrides(["coresetRatio": .number(0.01)])) : Detector(name)
        }
    }

    /// The default ``imageSize``.
    public static let defaultImageSize = 512

    /// The data set's folder (`xad demo`'s default is `Demo/deeppcb`, the embedded DeepPCB sample).
    public var data: URL
    /// The data set's layout; nil detects it.
    public var format: String?
    /// The report's folder (created when missing; an earlier report there is replaced, any other
    /// non-empty folder refused).
    public var output: URL
    /// The square size images are resized to. Default ``defaultImageSize``, 512: DeepPCB's defects are a few pixels
    /// wide in 640 x 640 images, and at 320 PatchCore's AUPRO falls from 0.64 to 0.44.
    public var imageSize: Int
    /// The detectors, fitted in order; the first one's results are explained. Default PatchCore,
    /// then PaDiM for comparison, each with ``Detector/standard(_:)``'s settings.
    public var detectors: [Detector]
    /// Explanation methods by registry name, each used when registered. Default Grad-CAM,
    /// healing and nearest normal exemplars.
    public var explainers: [String]
    /// How many of the highest-scoring test images are explained. Default 4: on the DeepPCB sample
    /// the top two are templates of board regions no training template shows, the next two boards
    /// with defects.
    public var explainedImages: Int
    /// The backbone's weight file, when not installed where `WeightLocator` looks.
    public var weightsPath: String?
    /// Which images are learnt from and which set the threshold; nil takes
    /// ``DemoProtocol/standard(for:)``: golden-board comparison on DeepPCB, held-out otherwise.
    public var evaluationProtocol: DemoProtocol?

    /// A demo of `data` written to `output`; every other setting has the default documented on its property.
    public init(data: URL, format: String? = nil, output: URL, imageSize: Int = DemoRun.defaultImageSize,
                detectors: [Detector] = [Detector.standard("patchcore"), Detector.standard("padim")],
                explainers: [String] = ["grad-cam", "healing", "exemplars"], explainedImages: Int = 4,
                weightsPath: String? = nil, evaluationProtocol: DemoProtocol? = nil) {
        self.data = data
        self.format = format
        self.output = output
        self.imageSize = imageSize
        self.detectors = detectors
        self.explainers = explainers
        self.explainedImages = explainedImages
        self.weightsPath = weightsPath
        self.evaluationProtocol = evaluationProtocol
    }

    /// Runs the demo.
    /// - Parameters:
    ///   - progress: every stage, named after its detector ("patchcore features", "patchcore
    ///     scoring", "patchcore report").
    ///   - warn: one line per skipped image.
    /// - Throws: ``DemoError`` for a setting that cannot work; otherwise the first error of
    ///   loading, fitting, scoring or writing (each names its file), e.g. ``ReportError`` when
    ///   ``output`` holds something other than an earlier report.
    public func run(progress: FitProgress? = nil, warn: @Sendable (String) -> Void = { _ in }) throws -> DemoResult {
        try check()
        let started = ContinuousClock.now
        let dataset = try DatasetFormats.load(data, format: format)
        let evaluationProtocol = evaluationProtocol ?? DemoProtocol.standard(for: dataset)
        let split = try evaluationProtocol.split(dataset)
        var runs: [DetectorRun] = []
        for detector in detectors {
            let fitting = evaluationProtocol.fitting(
                ModelFitting(detector: detector.name, preprocessing: Preprocessing(imageSize: Size2(imageSize)), options: detector.options),
                split: split)
            let named = Self.stages(of: detector.name, progress)
            let fitted = try evaluationProtocol.calibrated(
                try fitting.fit(on: split.training, weightsPath: weightsPath, progress: named, warn: warn),
                split: split, percentile: fitting.thresholdPercentile)
            let evaluation = try Evaluator().evaluation(of: fitted.model, on: dataset, progress: named, warn: warn)
            runs.append(DetectorRun(detector: detector, fitted: fitted, evaluation: evaluation))
        }
        let page = try writeReports(runs, dataset: dataset, protocol: evaluationProtocol, progress: progress)
        // Only the first model is kept: PaDiM's per-position covariances at 512 x 512 take 660 MB.
        let modelFile = try runs.first.map { run in
            let file = output.appendingPathComponent("\(run.detector.name).xadm")
            try run.fitted.model.write(to: file)
            return file
        }
        let summaries = runs.enumerated().map { index, run in run.summary(model: index == 0 ? modelFile : nil) }
        return DemoResult(dataset: dataset.name, imageSize: imageSize, evaluationProtocol: evaluationProtocol,
                          report: page.path, detectors: summaries,
                          explainers: explainers, explainedImages: explainedImages,
                          seconds: started.secondsElapsed)
    }

    /// One fitted and evaluated detector.
    struct DetectorRun {
        let detector: Detector
        let fitted: FittedModel
        let evaluation: Evaluation

        func summary(model: URL?) -> DemoResult.DetectorSummary {
            let report = evaluation.report
            return DemoResult.DetectorSummary(
                detector: detector.name, model: model?.path, imageAUROC: report.overall.imageAUROC,
                pixelAUROC: report.overall.pixelAUROC, aupro: report.overall.aupro, fitSeconds: fitted.seconds,
                trainingImages: fitted.trainingImages, testImages: report.overall.images,
                imagesPerSecond: report.timing.imagesPerSecond,
                normalFlagged: flagged(anomalous: false), anomalousFlagged: flagged(anomalous: true))
        }

        /// How many normal (or anomalous) test images the saved threshold flags, of how many;
        /// nil without a threshold.
        func flagged(anomalous: Bool) -> DemoResult.Count? {
            guard let threshold = fitted.model.threshold else { return nil }
            let group = evaluation.images.filter { $0.isAnomalous == anomalous }
            return DemoResult.Count(group.filter { $0.score >= threshold }.count, of: group.count)
        }

        /// "image AUROC 0.7222, pixel AUROC 0.8895, AUPRO 0.6394; normal images flagged 1/12, anomalous 12/12; fitted
        /// in 15.9 s, scoring 5.1 images/s"
        var numbers: String {
            func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "undefined" }
            let overall = evaluation.report.overall
            let normal = flagged(anomalous: false), anomalous = flagged(anomalous: true)
            return "image AUROC \(cell(overall.imageAUROC)), pixel AUROC \(cell(overall.pixelAUROC)), AUPRO \(cell(overall.aupro)); "
                + "normal images flagged \(normal?.description ?? "-"), anomalous \(anomalous?.description ?? "-"); "
                + String(format: "fitted in %.1f s, scoring %.1f images/s", fitted.seconds, evaluation.report.timing.imagesPerSecond)
        }
    }

    /// The first detector's report in ``output`` (the others' numbers as notes), then each other
    /// detector's report, without explanations, in a folder named after it.
    private func writeReports(_ runs: [DetectorRun], dataset: Dataset, protocol evaluationProtocol: DemoProtocol,
                              progress: FitProgress?) throws -> URL {
        guard let first = runs.first else { throw DemoError("give at least one detector") }
        func report(_ run: DetectorRun, explained: Int, notes: [ReportNote]) -> Report {
            let options = ReportOptions(title: "XADKit demo: \(run.detector.name) on \(dataset.name)",
                                        explainedImages: explained, explainers: explainers)
            return Report(model: run.fitted.model, dataset: dataset, evaluation: run.evaluation, options: options,
                          notes: [ReportNote("protocol", evaluationProtocol.summary),
                                  ReportNote("fitting", String(format: "%.1f s on %d normal images", run.fitted.seconds,
                                                               run.fitted.trainingImages))] + notes)
        }
        let others = runs.dropFirst()
        let page = try report(first, explained: explainedImages,
                              notes: others.map { ReportNote("compared with \($0.detector.name)", "\($0.numbers); report: \($0.detector.name)/\(Report.pageName)") })
            .write(to: output, progress: Self.stages(of: first.detector.name, progress))
        for run in others {
            try report(run, explained: 0, notes: [ReportNote("compared with \(first.detector.name)", "\(first.numbers); report: ../\(Report.pageName)")])
                .write(to: output.appendingPathComponent(run.detector.name, isDirectory: true),
                       progress: Self.stages(of: run.detector.name, progress))
        }
        return page
    }

    /// `progress` with every stage named after the detector ("patchcore scoring").
    private static func stages(of detector: String, _ progress: FitProgress?) -> FitProgress {
        { stage, done, total in progress?("\(detector) \(stage)", done, total) }
    }

    private func check() throws {
        guard (32...4096).contains(imageSize) else { throw DemoError("the image size must be in 32...4096, got \(imageSize)") }
        guard !detectors.isEmpty else { throw DemoError("give at least one detector") }
        guard explainedImages >= 0 else { throw DemoError("the number of explained images must be 0 or more, got \(explainedImages)") }
        guard Set(detectors.map(\.name)).count == detectors.count else { throw DemoError("each detector can be given once") }
        let unknown = detectors.map(\.name).filter { !Detectors.names.contains($0) }
        guard unknown.isEmpty else {
            throw DemoError("unknown detector '\(unknown[0])'; known: \(Detectors.names.joined(separator: ", "))")
        }
        // Refused now rather than by the report writer after minutes of fitting.
        try Report.checkDestination(output)
    }
}

/// A demo setting that cannot work: an unknown or repeated detector, an image size out of range.
public struct DemoError: StatusReportingError, CustomStringConvertible, Equatable, Sendable {
    /// A demo setting that cannot work is a wrong request.
    public var exitStatus: ExitStatus { .usage }

    /// What is wrong, in one line.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
