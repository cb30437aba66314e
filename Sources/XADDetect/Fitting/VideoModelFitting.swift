import Foundation
import XADData
import XADModels
import XADTensor

extension ModelFitting {
    /// Fits a registered video detector (``DetectorTraits/input`` is ``DetectorInput/clips``) on
    /// normal training clips and calibrates its threshold, as `xad fit` does for a video data set.
    ///
    /// Whole clips are held out, never single frames (neighbouring frames are nearly equal, so a
    /// frame held out beside its neighbours is not unseen): every k-th clip, k = 1 /
    /// ``holdoutFraction``, at least one when there are two or more clips. The detector is fitted
    /// on the others (``FitContext/clips``, and ``FitContext/images`` their frames in order), the
    /// held-out clips are scored with ``VideoAnomalyDetector/score(clip:progress:)`` and
    /// ``ThresholdCalibration`` turns all their frame scores into the threshold and normalisation.
    /// With a single clip, or `holdoutFraction = 0`, the training clips themselves are scored.
    ///
    /// ```swift
    /// let ped2 = try UCSDPed().loadVideo(URL(fileURLWithPath: "ucsd_ped2"))
    /// let fitted = try ModelFitting(detector: "attributes").fit(clips: ped2.train)
    /// try fitted.model.write(to: URL(fileURLWithPath: "ped2.xadm"))
    /// ```
    /// - Returns: the model; ``FittedModel/trainingImages`` and ``FittedModel/calibrationImages``
    ///   count frames.
    /// - Throws: ``DetectorError/missingRequirement(_:)`` for an image detector,
    ///   ``DetectorError/noTrainingImages`` for no clips, ``OptionError`` for a bad option, and
    ///   the detector's or decoder's error (naming the clip and frame).
    public func fit(clips: [VideoClip], weightsPath: String? = nil, progress: FitProgress? = nil) throws -> FittedModel {
        guard (0..<1).contains(holdoutFraction) else {
            throw DetectorError.invalidOption("the held-out fraction \(holdoutFraction) is outside 0..<1")
        }
        let type = try Detectors.named(detector)
        guard type.traits.input == .clips else {
            throw DetectorError.missingRequirement("\(type.name) scores single images, not clips: fit it on an image data set, or choose a video detector (\(Self.videoDetectorNames.joined(separator: ", ")))")
        }
        guard !clips.isEmpty else { throw DetectorError.noTrainingImages }
        let started = ContinuousClock.now
        let (fitClips, calibrationClips) = splitClips(clips)
        let fitted = try fitVideo(type, on: fitClips, weightsPath: weightsPath, progress: progress)
        guard let video = fitted as? any VideoAnomalyDetector else {
            throw DetectorError.missingRequirement("\(type.name) says it scores clips but does not implement VideoAnomalyDetector")
        }
        var scores: [Float] = []
        for (index, clip) in calibrationClips.enumerated() {
            scores += try video.score(clip: clip).scores
            progress?("calibration", index + 1, calibrationClips.count)
        }
        let calibration = try ThresholdCalibration(scores: scores, percentile: thresholdPercentile)
        let model = SavedModel(detector: fitted, threshold: calibration.threshold, normalisation: calibration.normaliser,
                               trainingImagePaths: fitClips.flatMap { clip in (0..<clip.count).map { clip.file(of: $0).absoluteURL.path } })
        return FittedModel(model: model, trainingImages: fitClips.reduce(0) { $0 + $1.count },
                           calibrationImages: scores.count, calibratedOnTrainingImages: calibrationClips == fitClips,
                           calibrationScores: scores, skipped: [], seconds: started.secondsElapsed)
    }

    /// The registered detectors that score clips.
    public static var videoDetectorNames: [String] {
        Detectors.all.filter { $0.traits.input == .clips }.map { $0.name }
    }

    /// The clips to fit on and the clips to calibrate on (the same clips when none can be spared).
    private func splitClips(_ clips: [VideoClip]) -> (fit: [VideoClip], calibration: [VideoClip]) {
        guard holdoutFraction > 0, clips.count >= 2 else { return (clips, clips) }
        let every = Swift.max(2, Int((1 / holdoutFraction).rounded()))
        var heldOut = Set(clips.indices.filter { $0 % every == every - 1 })
        if heldOut.isEmpty { heldOut = [clips.count - 1] }
        return (clips.indices.filter { !heldOut.contains($0) }.map { clips[$0] }, heldOut.sorted().map { clips[$0] })
    }

    private func fitVideo<D: AnomalyDetector>(_ type: D.Type, on clips: [VideoClip], weightsPath: String?,
                                              progress: FitProgress?) throws -> D {
        let options = try resolvedOptions(for: type)
        let backboneName = D.traits.needsBackbone ? backbone : DetectorSetup.noBackbone
        let setup = DetectorSetup(backbone: backboneName, layers: layers ?? D.defaultLayers, preprocessing: preprocessing)
        let loaded = D.traits.needsBackbone ? try Backbones.load(backbone, weightsPath: weightsPath) : nil
        let context = FitContext(images: ConcatenatedFrames(clips: clips), clips: clips, setup: setup, backbone: loaded,
                                 training: training, progress: progress)
        return try D.fit(context, options: options)
    }
}

/// The frames of several clips, one clip after the other, as one ``ImageSource``.
struct ConcatenatedFrames: ImageSource {
    let clips: [VideoClip]
    /// The index of each clip's first frame, and the total at the end.
    private let starts: [Int]

    init(clips: [VideoClip]) {
        self.clips = clips
        starts = clips.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
    }

    var count: Int { starts[starts.count - 1] }

    func image(at index: Int) throws -> Tensor {
        guard let clip = starts.lastIndex(where: { $0 <= index }), clip < clips.count else {
            throw DetectorError.invalidInput("frame \(index) is outside the \(count) training frames")
        }
        return try clips[clip].tensor(at: index - starts[clip])
    }
}
