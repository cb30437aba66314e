/// One measured figure of a benchmark grid: a detection metric of a detector on a data set
/// (``explainer`` is `nil`), or an explanation-quality measure of an explainer run on that
/// detector's score, or a cost (seconds, memory) of either.
///
/// The grid (`xad benchmark`) writes records into its results database, the leaderboards rank
/// them, and the method selection guide (`xad guide`) cites them as its evidence: this type is
/// the seam between the three.
///
/// ```swift
/// let row = BenchmarkRecord(dataset: "mtd-v1", traits: .init(modality: .image, content: .texture),
///                           detector: "padim", measure: BenchmarkMeasure.aupro,
///                           value: 0.71, interval: 0.66...0.75, images: 290)
/// ```
public struct BenchmarkRecord: Codable, Hashable, Sendable {
    /// The data set's name in the grid's config (e.g. `mtd-v1`).
    public var dataset: String
    /// What the data set is like: the guide matches a user's data against these.
    public var traits: DatasetTraits
    /// The detector's registry name (e.g. `patchcore`).
    public var detector: String
    /// The detector's options as canonical JSON (sorted keys), `{}` at the defaults.
    public var detectorOptions: String
    /// The explainer's registry name, `nil` for a detection metric or a detector cost.
    public var explainer: String?
    /// The explainer's options as canonical JSON (sorted keys); `nil` when there is no explainer.
    public var explainerOptions: String?
    /// The measure's name, one of ``BenchmarkMeasure``'s constants or a quality measure's own name.
    public var measure: String
    /// The figure (its mean over images where the measure is per image).
    public var value: Double
    /// The bootstrap 95% interval over images, `nil` where the figure is not a mean over images.
    public var interval: ClosedRange<Double>?
    /// The number of images (or frames) behind the figure.
    public var images: Int
    /// The seed of the cell (training, sampling, bootstrap).
    public var seed: UInt64
    /// The preset of the costly settings the figure was made with (`quick`, `thorough`), `nil` where none applies.
    public var preset: String?

    /// A record; options default to the methods' defaults, seed to 0.
    public init(dataset: String, traits: DatasetTraits, detector: String, detectorOptions: String = "{}",
                explainer: String? = nil, explainerOptions: String? = nil, measure: String, value: Double,
                interval: ClosedRange<Double>? = nil, images: Int, seed: UInt64 = 0) {
        self.dataset = dataset
        self.traits = traits
        self.detector = detector
        self.detectorOptions = detectorOptions
        self.explainer = explainer
        self.explainerOptions = explainer == nil ? nil : (explainerOptions ?? "{}")
        self.measure = measure
        self.value = value
        self.interval = interval
        self.images = images
        self.seed = seed
    }
}

/// What a benchmark data set is like, as the method selection guide asks a user about theirs.
public struct DatasetTraits: Codable, Hashable, Sendable {
    /// Still images or video frames.
    public enum Modality: String, Codable, CaseIterable, Sendable { case image, video }
    /// Repeating texture (fabric, tile, metal surface), distinct objects, or a mix of both.
    public enum Content: String, Codable, CaseIterable, Sendable { case texture, object, mixed, scene }
    /// The typical defect's share of the image: small (under 1%), medium (1-10%), large (over 10%).
    public enum DefectSize: String, Codable, CaseIterable, Sendable { case small, medium, large }

    /// Still images or video frames.
    public var modality: Modality
    /// Texture, objects, a mix, or a surveillance scene (video).
    public var content: Content
    /// The typical defect's share of the image, `nil` where unknown (no masks).
    public var defectSize: DefectSize?
    /// The number of normal training images (or frames), `nil` where unknown.
    public var normalImages: Int?

    /// Traits; size and count unknown unless given.
    public init(modality: Modality, content: Content, defectSize: DefectSize? = nil, normalImages: Int? = nil) {
        self.modality = modality
        self.content = content
        self.defectSize = defectSize
        self.normalImages = normalImages
    }
}

/// The names of the measures a benchmark cell records besides the explanation-quality measures
/// (which keep the names `QualityEvaluation` gives them, e.g. `deletion-auc`).
public enum BenchmarkMeasure {
    /// Image-level AUROC.
    public static let imageAUROC = "image-auroc"
    /// Image-level average precision.
    public static let averagePrecision = "image-ap"
    /// Image-level F1 at the best threshold.
    public static let f1Max = "image-f1-max"
    /// Pixel-level AUROC.
    public static let pixelAUROC = "pixel-auroc"
    /// Area under the per-region-overlap curve to 30% false positive rate.
    public static let aupro = "aupro"
    /// Video frame AUROC over all frames pooled (micro).
    public static let frameAUROCMicro = "frame-auroc-micro"
    /// Video frame AUROC averaged over clips (macro).
    public static let frameAUROCMacro = "frame-auroc-macro"
    /// Wall seconds to fit (or train) the detector.
    public static let fitSeconds = "fit-seconds"
    /// Wall milliseconds to score one image.
    public static let scoreMilliseconds = "score-ms-per-image"
    /// Wall milliseconds to explain one image (with an explainer).
    public static let explainMilliseconds = "explain-ms-per-image"
    /// Peak resident memory of the cell, in megabytes.
    public static let peakMemoryMB = "peak-rss-mb"
}
