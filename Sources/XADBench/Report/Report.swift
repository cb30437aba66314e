import Foundation
import XADData
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// An HTML report of a model evaluated on a data set, written as one folder: `report.html`
/// (self-contained: inline CSS and SVG charts, no network) and `images/` beside it.
///
/// The page holds the run summary (detector, backbone, layers, options, data, timing, machine,
/// date, XADKit version), the metrics table (image AUROC, AP, F1-max, pixel AUROC, AUPRO, overall
/// and per defect class), ROC, precision-recall and PRO curves, the score histogram with the
/// threshold, and a gallery of test images (see ``GalleryOrder``) with input, ground truth,
/// anomaly-map overlay, predicted-mask contour and, for the highest-scoring ones, explanation
/// panels (``ReportOptions/explainers``).
///
/// ```swift
/// let model = try SavedModel.load(URL(fileURLWithPath: "model.xadm"))
/// let dataset = try DatasetFormats.load(URL(fileURLWithPath: "data/mtd"), format: "mtd")
/// let (evaluation, page) = try Report.evaluate(model, on: dataset, writingTo: URL(fileURLWithPath: "mtd-report"))
/// print(evaluation.report.overall.imageAUROC, page.path)   // .../mtd-report/report.html
/// ```
public struct Report: Sendable {
    /// The page's file name inside the report folder.
    public static let pageName = "report.html"
    /// The pictures' folder name inside the report folder.
    public static let imagesFolderName = "images"

    public var model: SavedModel
    public var dataset: Dataset
    public var evaluation: Evaluation
    public var options: ReportOptions
    /// Extra rows for the run summary, after the standard ones (e.g. fitting time).
    public var notes: [ReportNote]
    /// What explainers that need more than the image get; by default the model's recorded
    /// training images.
    public var explanationContext: ExplanationContext

    public init(model: SavedModel, dataset: Dataset, evaluation: Evaluation, options: ReportOptions = ReportOptions(),
                notes: [ReportNote] = [], explanationContext: ExplanationContext? = nil) {
        self.model = model
        self.dataset = dataset
        self.evaluation = evaluation
        self.options = options
        self.notes = notes
        self.explanationContext = explanationContext ?? ExplanationContext(normalImages: model.trainingImages)
    }

    /// Evaluates `model` on `dataset` and writes the report into `folder`, in one call.
    /// - Returns: the evaluation and the page's URL.
    public static func evaluate(_ model: SavedModel, on dataset: Dataset, writingTo folder: URL,
                                options: ReportOptions = ReportOptions(), evaluator: Evaluator = Evaluator(),
                                notes: [ReportNote] = [], progress: FitProgress? = nil,
                                warn: (String) -> Void = { _ in }) throws -> (evaluation: Evaluation, page: URL) {
        let evaluation = try evaluator.evaluation(of: model, on: dataset, progress: progress, warn: warn)
        let page = try Report(model: model, dataset: dataset, evaluation: evaluation, options: options, notes: notes)
            .write(to: folder, progress: progress)
        return (evaluation, page)
    }

    /// Writes the report into `folder` (created; a previous report there is replaced).
    ///
    /// Everything is built in a temporary folder beside `folder` and renamed into place, so a
    /// failure leaves the old report (or nothing) rather than half a report.
    /// - Parameters:
    ///   - folder: the report's folder.
    ///   - progress: stage "report", gallery images done of all.
    /// - Returns: the URL of `report.html`.
    /// - Throws: ``ReportError`` when `folder` holds something other than a report or cannot be
    ///   written; the loading error (naming the file) when a gallery image cannot be read again.
    @discardableResult
    public func write(to folder: URL, progress: FitProgress? = nil) throws -> URL {
        let started = ContinuousClock.now
        try Self.checkDestination(folder)
        let staging = try ReportFolder.staging(for: folder)
        do {
            let imagesFolder = staging.appendingPathComponent(Self.imagesFolderName, isDirectory: true)
            try ReportFolder.create(imagesFolder)
            let threshold = DecisionThreshold.of(model, evaluation.report)
            let (gallery, unavailable) = try drawGallery(into: imagesFolder, threshold: threshold, progress: progress)
            let seconds = started.secondsElapsed
            let report = evaluation.report
            let page = ReportPage(
                title: options.title ?? "\(report.detector) on \(report.dataset)",
                subtitle: "XADKit evaluation report · \(Self.timestamp())",
                facts: RunFacts(report: self, threshold: threshold, reportSeconds: seconds).rows,
                report: report, threshold: threshold, charts: ReportCharts.charts(of: evaluation, threshold: threshold),
                gallery: gallery, unavailable: unavailable,
                footer: "Made by XADKit \(SavedModel.xadkitVersion) on \(Machine.current.description).")
            try ReportFolder.write(Data(page.html().utf8), to: staging.appendingPathComponent(Self.pageName))
            try ReportFolder.replace(folder, with: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        return folder.appendingPathComponent(Self.pageName)
    }

    /// Draws every gallery image's pictures, and explains the highest-scoring ones.
    private func drawGallery(into imagesFolder: URL, threshold: DecisionThreshold?,
                             progress: FitProgress?) throws -> ([GalleryEntry], [DroppedMethod]) {
        let chosen = GalleryOrder.arrange(evaluation.images, threshold: threshold?.value, limit: options.galleryLimit)
        let explained = Set(chosen.sorted { $0.score > $1.score }.prefix(Swift.max(0, options.explainedImages)).map(\.file))
        var explanations = explanationRun(names: explained.isEmpty ? [] : options.explainers)
        let images = GalleryImages(folder: imagesFolder, preprocessing: model.detector.setup.preprocessing, options: options,
                                   mapRange: mapRange(), threshold: threshold?.value)
        var gallery: [GalleryEntry] = []
        for (rank, image) in chosen.enumerated() {
            let sample = try image.reference.load()
            let explainedHere = explained.contains(image.file)
                ? try explanations.explain(model.detector, image: sample.image, target: .imageScore).explanations : []
            gallery.append(try images.entry(image, rank: rank + 1, sample: sample, explanations: explainedHere))
            progress?("report", rank + 1, chosen.count)
        }
        return (gallery, explanations.unavailable)
    }

    /// The model's normalised score range 0...1 in raw scores when it has one (0.5 is then the
    /// threshold), else the lowest and highest map values of the test set.
    private func mapRange() -> ClosedRange<Float>? {
        if let normalisation = model.normalisation {
            let (lower, upper) = (Float(normalisation.raw(0)), Float(normalisation.raw(1)))
            if lower < upper { return lower...upper }
        }
        let values = evaluation.images.flatMap { [$0.map.scores.min(), $0.map.scores.max()] }.compactMap { $0 }
        guard let lower = values.min(), let upper = values.max(), lower < upper else { return nil }
        return lower...upper
    }

    /// The report's explanation methods, taken from the registry by name and handed the
    /// explanation context; a failing method is left out quietly and listed with its reason.
    private func explanationRun(names: [String]) -> ExplanationRun {
        let registered = names.compactMap { try? Explainers.named($0) }
        var run = ExplanationRun(explainers: Explainers.configured(registered, with: explanationContext))
        for name in names where !Explainers.names.contains(name) {
            run.recordUnavailable(name, reason: "not registered in this XADKit")
        }
        return run
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// One extra row of a report's run summary.
public struct ReportNote: Sendable, Equatable {
    public var label: String
    public var value: String

    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }
}
