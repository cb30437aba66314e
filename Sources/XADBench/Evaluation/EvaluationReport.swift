/// What ``Evaluator`` measured: metrics over all test images and per defect class, the saved
/// threshold checked on the test set, skipped files and timing. `Codable`, for JSON results.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// The metrics of one set of test images. A metric that is undefined for the set (e.g. AUROC
    /// without normal images, pixel metrics without masks) is nil and ``undefined`` says why.
    public struct Metrics: Codable, Sendable, Equatable {
        /// Test images measured, and how many of them are anomalous.
        public var images: Int, anomalous: Int
        /// Image-level AUROC and average precision of the scores.
        public var imageAUROC: Double?, averagePrecision: Double?
        /// The best image-level F1 and the lowest raw score threshold reaching it. This threshold
        /// is chosen on the test labels: a measure, not a threshold to deploy.
        public var f1Max: Double?, f1Threshold: Double?
        /// Images that took part in pixel metrics (those with a ground-truth mask; normal images
        /// count with an empty mask).
        public var pixelImages: Int
        /// Pixel-level AUROC and the area under the PRO curve up to the report's FPR limit.
        public var pixelAUROC: Double?, aupro: Double?
        /// Why a metric is nil, by metric name (`image_auroc`, `pixel_auroc`, `aupro`...).
        public var undefined: [String: String]

        public init(images: Int, anomalous: Int) {
            (self.images, self.anomalous, pixelImages, undefined) = (images, anomalous, 0, [:])
        }
    }

    /// The metrics of one defect class: its anomalous images plus every normal test image.
    public struct DefectClass: Codable, Sendable, Equatable {
        public var name: String
        public var metrics: Metrics
    }

    /// How a fixed decision threshold (the one saved with the model) does on the test set.
    public struct ThresholdCheck: Codable, Sendable, Equatable {
        /// The raw score threshold; `score >= threshold` is a defect.
        public var threshold: Double
        /// Anomalous images flagged, of all anomalous (nil without anomalous images).
        public var truePositiveRate: Double?
        /// Normal images flagged, of all normal (nil without normal images).
        public var falsePositiveRate: Double?

        init(_ threshold: Double, _ images: [ScoredImage]) {
            func flagged(_ group: [ScoredImage]) -> Double? {
                group.isEmpty ? nil : Double(group.filter { Double($0.score) >= threshold }.count) / Double(group.count)
            }
            self.threshold = threshold
            truePositiveRate = flagged(images.filter(\.isAnomalous))
            falsePositiveRate = flagged(images.filter { !$0.isAnomalous })
        }
    }

    /// Seconds spent decoding and scoring, and measuring; scoring throughput.
    public struct Timing: Codable, Sendable, Equatable {
        public var scoringSeconds: Double
        public var metricsSeconds: Double
        public var imagesPerSecond: Double
    }

    /// The data set's name.
    public var dataset: String
    /// The detector's registry name, its backbone and layers.
    public var detector: String, backbone: String, layers: [String]
    /// The model's input size `[height, width]`, the resolution pixel metrics are measured at.
    public var inputSize: [Int]
    /// The FPR up to which AUPRO integrates.
    public var fprLimit: Double
    /// All test images.
    public var overall: Metrics
    /// Per defect class, sorted by name.
    public var classes: [DefectClass]
    /// The saved threshold checked on the test set, when the model has one.
    public var atThreshold: ThresholdCheck?
    /// Test files left out because they could not be read.
    public var skipped: [String]
    public var timing: Timing
}
