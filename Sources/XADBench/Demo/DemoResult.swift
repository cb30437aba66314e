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
    }

    /// The data set's name and the square input size.
    public var dataset: String, imageSize: Int
    /// The HTML report's path.
    public var report: String
    /// One summary per detector, in the order they were fitted.
    public var detectors: [DetectorSummary]
    /// The explanation methods asked for, and how many of the first detector's highest-scoring
    /// test images they explain (the report lists any method that could not be used).
    public var explainers: [String], explainedImages: Int
    /// Wall-clock seconds of the whole run.
    public var seconds: Double

    /// The summary table: one row per detector (image AUROC, pixel AUROC, AUPRO, fit s, scoring img/s).
    ///
    /// ```
    /// detector   image AUROC  pixel AUROC   AUPRO  fit s  scoring img/s
    /// patchcore       0.7222       0.8895  0.6394   15.9            5.1
    /// ```
    public var table: String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        let header = ["detector", "image AUROC", "pixel AUROC", "AUPRO", "fit s", "scoring img/s"]
        let rows = detectors.map { row in
            [row.detector, cell(row.imageAUROC), cell(row.pixelAUROC), cell(row.aupro),
             String(format: "%.1f", row.fitSeconds), String(format: "%.1f", row.imagesPerSecond)]
        }
        return TextTable(header: header, rows: rows).text
    }
}
