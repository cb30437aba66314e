import Foundation
import XADDetect

/// The run summary's rows: what was evaluated, on what, how long it took and where.
struct RunFacts {
    let rows: [(label: String, value: String)]

    init(report source: Report, threshold: DecisionThreshold?, reportSeconds: Double) {
        let report = source.evaluation.report, setup = source.model.detector.setup
        let preprocessing = setup.preprocessing
        let test = source.dataset.test
        let anomalous = test.filter(\.label.isAnomalous).count
        let classes = Set(test.filter(\.label.isAnomalous).map(\.category)).sorted()
        var rows: [(label: String, value: String)] = [
            ("detector", report.detector),
            ("backbone", "\(report.backbone), layers \(report.layers.joined(separator: ", "))"),
            ("input", "resized to \(preprocessing.imageSize.height) × \(preprocessing.imageSize.width)"
                + (preprocessing.centerCrop.map { ", centre-cropped to \($0.height) × \($0.width)" } ?? "")),
            ("options", Self.optionsJSON(source.model.detector)),
            ("data", "\(report.dataset): \(test.count) test images (\(test.count - anomalous) normal, \(anomalous) anomalous"
                + (classes.isEmpty ? ")" : " in \(classes.count) classes: \(classes.joined(separator: ", ")))")
                + (source.model.trainingImagePaths.map { "; fitted on \($0.count) normal images" } ?? "")),
            ("threshold", threshold.map { "\(Markup.number($0.value)) (\($0.name))" } ?? "none"),
            ("timing", String(format: "scoring %.1f s (%.1f images/s), metrics %.1f s, report %.1f s",
                              report.timing.scoringSeconds, report.timing.imagesPerSecond, report.timing.metricsSeconds, reportSeconds)),
            ("machine", Machine.current.description),
            ("date", Report.timestamp()),
            ("XADKit", SavedModel.xadkitVersion),
        ]
        rows += source.notes.map { ($0.label, $0.value) }
        self.rows = rows
    }

    /// The detector's options as compact JSON with sorted keys.
    static func optionsJSON(_ detector: some AnomalyDetector) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(detector.options)).map { String(decoding: $0, as: UTF8.self) } ?? "(not encodable)"
    }
}
