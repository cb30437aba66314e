import XADDetect
import XADMetrics

/// The report's charts, drawn from an evaluation's scored images: image ROC and precision-recall
/// curves, the pixel PRO curve up to the FPR limit with its area shaded, and the histogram of
/// normal and anomalous image scores with the decision threshold marked.
///
/// A chart that cannot be drawn (e.g. a ROC curve without normal test images, a PRO curve without
/// masks) is a ``Chart/missing(title:reason:)`` entry saying why.
enum ReportCharts {
    /// One chart, or why it is missing.
    enum Chart {
        case svg(String)
        case missing(title: String, reason: String)
    }

    /// The four charts in page order.
    static func charts(of evaluation: Evaluation, threshold: DecisionThreshold?) -> [Chart] {
        let images = evaluation.images
        let scores = images.map { Double($0.score) }, labels = images.map(\.isAnomalous)
        let report = evaluation.report
        return [
            chart("ROC curve") {
                let curve = try BinaryRanking(scores: scores, labels: labels).rocCurve()
                let points = zip(curve.falsePositiveRates, curve.truePositiveRates).map { ChartPoint(x: $0, y: $1) }
                return LineChart(title: "ROC curve (image level)", xLabel: "false positive rate", yLabel: "true positive rate",
                                 series: [.init(name: "chance", points: [ChartPoint(x: 0, y: 0), ChartPoint(x: 1, y: 1)],
                                                color: ChartColors.gray, dashed: true),
                                          .init(name: "AUROC \(Markup.number(report.overall.imageAUROC))", points: points)],
                                 legendAtBottom: true).svg()
            },
            chart("Precision-recall curve") {
                let ranking = try BinaryRanking(scores: scores, labels: labels)
                let curve = try ranking.precisionRecallCurve()
                let points = zip(curve.recall, curve.precision).map { ChartPoint(x: $0, y: $1) }
                let prevalence = Double(ranking.positives) / Double(ranking.positives + ranking.negatives)
                return LineChart(title: "Precision-recall curve (image level)", xLabel: "recall", yLabel: "precision",
                                 series: [.init(name: "prevalence", points: [ChartPoint(x: 0, y: prevalence), ChartPoint(x: 1, y: prevalence)],
                                                color: ChartColors.gray, dashed: true),
                                          .init(name: "AP \(Markup.number(report.overall.averagePrecision))", points: points,
                                                color: ChartColors.green)],
                                 legendAtBottom: true).svg()
            },
            chart("PRO curve") {
                let masked = images.filter { $0.mask != nil }
                let pixels = try PixelMetrics(maps: masked.map(\.map), masks: masked.compactMap(\.mask), fprLimit: report.fprLimit)
                let curve = try pixels.proCurve()
                let points = zip(curve.falsePositiveRates, curve.overlaps).map { ChartPoint(x: $0, y: $1) }
                return LineChart(title: "PRO curve (pixel level, FPR ≤ \(Markup.number(report.fprLimit, decimals: 2)))",
                                 xLabel: "false positive rate (pixels)", yLabel: "per-region overlap",
                                 xDomain: 0...report.fprLimit,
                                 series: [.init(name: "AUPRO \(Markup.number(curve.area))", points: points,
                                                color: ChartColors.vermillion, shadesArea: true)],
                                 legendAtBottom: true).svg()
            },
            chart("Score histogram") {
                let normal = images.filter { !$0.isAnomalous }.map { Double($0.score) }
                let anomalous = images.filter(\.isAnomalous).map { Double($0.score) }
                return Histogram(title: "Image scores", xLabel: "anomaly score",
                                 groups: [.init(name: "normal", values: normal, color: ChartColors.blue),
                                          .init(name: "anomalous", values: anomalous, color: ChartColors.vermillion)],
                                 threshold: threshold?.value, thresholdLabel: threshold?.name ?? "threshold").svg()
            },
        ]
    }

    /// The chart `draw` makes, or why it could not be made.
    private static func chart(_ title: String, _ draw: () throws -> String) -> Chart {
        do { return .svg(try draw()) } catch let error as MetricsError {
            return .missing(title: title, reason: error.message)
        } catch {
            return .missing(title: title, reason: "\(error)")
        }
    }
}

/// The image-score threshold a report judges images by, and where it comes from.
public struct DecisionThreshold: Sendable, Equatable {
    /// Raw score; `score >= value` is called anomalous.
    public var value: Double
    /// "saved threshold" (chosen at fitting time on held-out normal images) or "F1-max threshold
    /// (test labels)" when the model has none.
    public var name: String

    public init(value: Double, name: String) {
        self.value = value
        self.name = name
    }

    /// The model's saved threshold, else the F1-optimal threshold measured on the test labels.
    public static func of(_ model: SavedModel, _ report: EvaluationReport) -> DecisionThreshold? {
        if let saved = model.threshold { return DecisionThreshold(value: Double(saved), name: "saved threshold") }
        return report.overall.f1Threshold.map { DecisionThreshold(value: $0, name: "F1-max threshold (test labels)") }
    }
}
