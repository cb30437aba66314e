import XADData
import XADDetect

/// Which normal images the demo's detectors learn from, and which normal images set the threshold.
///
/// DeepPCB's templates are tiles of a large board, each showing a different region of it: under
/// ``heldOut`` a test board shows a region no training template shows, so a detector flags most
/// normal test boards as novel (PatchCore's image AUROC 0.72 on the sample, 9 of 12 normal boards
/// flagged) although its maps find the defects. PCB inspection compares each board with the
/// golden (defect-free) image of the same region instead, and ``goldenBoard`` does that.
///
/// ```swift
/// let split = try DemoProtocol.goldenBoard.split(dataset)
/// split.training          // the training templates, then the golden templates of the test boards
/// split.calibrationImages // the threshold is set on the first this-many of them only
/// ```
public enum DemoProtocol: String, Sendable, Codable, CaseIterable {
    /// The data set's own split: fit on the training images (every tenth held out to set the
    /// threshold), test on images of regions or objects the detector never saw.
    case heldOut = "held-out"
    /// Golden-board comparison: the golden template of every test board joins the training
    /// images, so the memory holds the defect-free look of each region that is inspected. The
    /// normal test boards are those templates themselves, so they measure false alarms on known
    /// regions, not on unseen ones. The threshold is set on the data set's own training images
    /// (scored as members of the memory, like the templates), never on test images.
    case goldenBoard = "golden-board"

    /// The protocol `xad demo` uses unless told: golden-board for DeepPCB, whose normal test
    /// images are the golden templates of its defective ones; held-out for any other data set.
    public static func standard(for dataset: Dataset) -> DemoProtocol {
        dataset.name.lowercased() == DeepPCB().name ? .goldenBoard : .heldOut
    }

    /// One line for the report and the summary: what was learnt from and what set the threshold.
    public var summary: String {
        switch self {
        case .heldOut:
            "held-out: fitted on the training images, threshold from held-out training images; test images unseen"
        case .goldenBoard:
            "golden-board comparison: each test board's defect-free template added to the training images; threshold from the training images only (the normal test boards are those templates)"
        }
    }

    /// The images to fit on and how many of them (the first ones) set the threshold.
    public struct Split: Sendable, Equatable {
        /// The normal images the detector is fitted on, in fitting order.
        public var training: [SampleReference]
        /// Under golden-board, the number of leading ``training`` images (the data set's own
        /// training images) whose scores set the threshold; nil leaves the threshold to
        /// `ModelFitting`'s held-out images.
        public var calibrationImages: Int?
    }

    /// The split of `dataset` under this protocol.
    /// - Throws: ``DemoError`` under golden-board when the test set has no normal image to use
    ///   as a golden template or the training set is empty.
    public func split(_ dataset: Dataset) throws -> Split {
        switch self {
        case .heldOut:
            return Split(training: dataset.train, calibrationImages: nil)
        case .goldenBoard:
            let templates = dataset.test.filter { $0.label == .normal }
            guard !templates.isEmpty, !dataset.train.isEmpty else {
                throw DemoError("the golden-board protocol needs training images and normal test images (the golden templates); \(dataset.name) has \(dataset.train.count) and \(templates.count)")
            }
            return Split(training: dataset.train + templates, calibrationImages: dataset.train.count)
        }
    }

    /// `fitting` set up for this protocol: golden-board scores the fitted images themselves for
    /// the threshold (no image is held out of the memory), and only `split`'s calibration images
    /// (the data set's own training images; scoring the test templates too would be thrown away).
    func fitting(_ fitting: ModelFitting, split: Split) -> ModelFitting {
        guard self == .goldenBoard else { return fitting }
        var adjusted = fitting
        adjusted.holdoutFraction = 0
        adjusted.calibrationLimit = split.calibrationImages
        return adjusted
    }

    /// `fitted` with its threshold and normalisation set from the scores of `split`'s
    /// calibration images only (golden-board; held-out models are returned unchanged).
    func calibrated(_ fitted: FittedModel, split: Split, percentile: Double) throws -> FittedModel {
        guard let count = split.calibrationImages else { return fitted }
        guard fitted.calibratedOnTrainingImages, fitted.calibrationScores.count >= count else {
            throw DemoError("golden-board calibration needs the scores of the \(count) training images, got \(fitted.calibrationScores.count)")
        }
        let calibration = try ThresholdCalibration(scores: Array(fitted.calibrationScores.prefix(count)), percentile: percentile)
        var adjusted = fitted
        adjusted.model.threshold = calibration.threshold
        adjusted.model.normalisation = calibration.normaliser
        adjusted.calibrationImages = count
        adjusted.calibrationScores = Array(fitted.calibrationScores.prefix(count))
        return adjusted
    }
}
