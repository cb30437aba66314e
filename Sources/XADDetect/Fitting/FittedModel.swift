import Foundation

/// A fitted, calibrated model and the facts of its fitting, for summaries.
public struct FittedModel: Sendable {
    /// The model with its threshold and normalisation, ready to write.
    public var model: SavedModel
    /// How many images the detector was fitted on.
    public var trainingImages: Int
    /// How many normal images the threshold was chosen on.
    public var calibrationImages: Int
    /// True when no image could be held out and the training images themselves were scored.
    public var calibratedOnTrainingImages: Bool
    /// The calibration images' scores.
    public var calibrationScores: [Float]
    /// Training images left out because they could not be decoded.
    public var skipped: [URL]
    /// Wall-clock seconds of fitting and calibration.
    public var seconds: Double
}
