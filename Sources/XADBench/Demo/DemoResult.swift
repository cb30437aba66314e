import Foundation

/// What ``DemoRun/run(progress:warn:)`` did: per detector its accuracy and speed, the explanation
/// methods asked for and where the report is. `Codable`, for `xad demo --json`.
public struct DemoResult: Sendable, Codable, Equatable {
    /// One detector's numbers on the test images.
    public struct DetectorSummary: Sendable, Codable, Equatable {
        /// The registry name, and the saved model file (the first detector's only).
        public var detector: String, model: String?
        /// Image AUROC, pixel AUROC and AUPRO over all test images; nil when undefined for the data.
        public var imageAUROC: Double?, pixelAUROC: Double?, aupro: Double?
        /// Seconds of fitting and calibration, and the images fitted on.
        public var fitSeconds: Double, trainingImages: Int
        /// Test images scored, and how many per second (decoding included).
        public var testImages: Int, imagesPerSecond: Double
        /// Normal and anomalous test images flagged by the saved threshold (`score >= threshold`);
        /// nil without a threshold or without images of that label.
        public var normalFlagged: Count?, anomalousFlagged: Count?
    }

    /// How many images of a group, e.g. normal test images flagged: "1/12".
    public struct Count: Sendable, Codable, Equatable, CustomStringConvertible {
        /// The images counted, and the images in the group.
        public var count: Int, total: Int

        /// `count` of `total`.
        public init(_ count: Int, of total: Int) {
            self.count = count
            self.total = total
        }

        /// "1/12".
        public var description: String { "\(count)/\(total)" }
    }

    /// The data set's name and the square input size.
    public var dataset: String, imageSize: Int
    /// Which images were learnt from and which set the threshold.
    public var evaluationProtocol: DemoProtocol
    /// The HTML report's path.
    public var report: String
    /// One summary per detector, in the order they were fitted.
    public var detectors: [DetectorSummary]
    /// The explanation methods asked for, and how many of the first detector's highest-scoring
    /// test images they explain (the report lists any method that could not be used).
    public var explainers: [String], explainedImages: Int
    /// Wall-clock seconds of the whole run.
    public var seconds: Double

    /// The protocol line, then the summary table: one row per detector (image AUROC, pixel AUROC,
    /// AUPRO, normal and anomalous test images flagged at the saved threshold, fit s, scoring img/s).
    ///
    /// ```
    /// protocol: golden-board comparison: ...
    /// detector   image AUROC  pixel AUROC   AUPRO  normal flagged  anomalous flagged  fit s  scoring img/s
    /// patchcore       0.9722       0.9795  0.9044            1/12              12/12   15.9            5.1
    /// ```
    public var table: String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        let header = ["detector", "image AUROC", "pixel AUROC", "AUPRO", "normal flagged", "anomalous flagged", "fit s",
                      "scoring img/s"]
        let rows = detectors.map { row in
            [row.detector, cell(row.imageAUROC), cell(row.pixelAUROC), cell(row.aupro),
             row.normalFlagged?.description ?? "-", row.anomalousFlagged?.description ?? "-",
             String(format: "%.1f", row.fitSeconds), String(format: "%.1f", row.imagesPerSecond)]
        }
        return "protocol: \(evaluationProtocol.summary)\n" + TextTable(header: header, rows: rows).text
    }
}
