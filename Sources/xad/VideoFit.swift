import Foundation
import XADData
import XADDetect

extension FitCommand {
    /// `xad fit` on a video data set: a video detector fitted on the training clips, its
    /// threshold calibrated on held-out clips (``ModelFitting/fit(clips:weightsPath:progress:)``).
    func fitVideo(_ video: VideoDataset, console: Console) throws {
        let fitted = try modelFitting().fit(clips: video.train, weightsPath: weights.weights, progress: console.progress)
        try fitted.model.write(to: URL(fileURLWithPath: out))
        let setup = fitted.model.detector.setup
        let result = Summary(
            detector: detector, backbone: setup.backbone, layers: setup.layers, imageSize: imageSize, dataset: video.name,
            trainingImages: fitted.trainingImages, calibrationImages: fitted.calibrationImages,
            calibratedOnTrainingImages: fitted.calibratedOnTrainingImages, threshold: fitted.model.threshold,
            thresholdPercentile: thresholdPercentile, seconds: fitted.seconds, skipped: [], model: out)
        let calibration = fitted.calibratedOnTrainingImages
            ? "the \(fitted.calibrationImages) frames of the training clips themselves"
            : "\(fitted.calibrationImages) frames of held-out training clips"
        let threshold = fitted.model.threshold.map { String(format: "%.6g", $0) } ?? "none"
        try output.publish(result, text: "fitted \(detector) on \(fitted.trainingImages) frames of \(video.name) "
            + "in \(String(format: "%.1f", fitted.seconds)) s; threshold \(threshold) (\(formatPercentile) percentile of \(calibration)); saved \(out)")
    }
}
