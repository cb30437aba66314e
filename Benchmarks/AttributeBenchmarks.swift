import Foundation
import XADData
import XADDetect
import XADImage
import XADModels
import XADTensor

/// The attribute-based video detector on UCSD Ped2 (`../shared/data/ucsd_ped2`, 360 x 240):
/// scoring speed over test clip 04 (frames per second, wall) beside the detector's dense flow
/// alone (and the other flow, Farnebäck or Lucas-Kanade) on the same frames at the detector's
/// motion scale, in the same run, so that their ratio holds on a loaded machine; and the fit time on 4 training clips at every 4th frame (the full fit's time
/// is in the detector's README).
struct AttributeBenchmarks: BenchmarkSuite {
    let name = "attributes"

    func run(into report: inout BenchmarkReport) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/ucsd_ped2")
        guard FileManager.default.fileExists(atPath: root.path) else {
            report.record(name, "skipped", "no UCSD Ped2 at \(root.path)")
            return
        }
        let ped2 = try UCSDPed().loadVideo(root)
        var options = Attributes.Options()
        options.trainingFrameStride = 4
        let setup = DetectorSetup(layers: Attributes.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(height: 160, width: 240)))
        let clock = ContinuousClock()
        var start = clock.now
        let model = try Attributes.fit(FitContext(images: InMemoryImages([]), clips: Array(ped2.train.prefix(4)), setup: setup,
                                                  backbone: try Backbones.load("efficientnet-lite0")), options: options)
        report.record(name, "fit_4_clips_stride_4_seconds", rounded((clock.now - start).seconds, 2))

        let clip = ped2.test[3]
        start = clock.now
        _ = try model.score(clip: clip)
        let scoring = (clock.now - start).seconds
        report.record(name, "score_frames_per_s", rounded(Double(clip.count) / scoring, 1))

        // The flows alone, at the same scale, over the same frame pairs: the detector's (its
        // ratio to scoring) and the other one.
        let planes = try (0..<clip.count).map { index in
            try GrayPlane(tensor: try GrayPlane(tensor: clip.tensor(at: index)).tensor()
                .resampled(to: Size2(height: 120, width: 180), filter: .bilinear, antialias: true))
        }
        var other = options
        other.flow = options.flow == "farneback" ? "lucaskanade" : "farneback"
        for (key, flowOptions) in [("flow_alone", options), ("\(other.flow)_flow_alone", other)] {
            let flow = flowOptions.flowEstimator
            start = clock.now
            for t in 1..<planes.count { _ = try flow(planes[t - 1], planes[t]) }
            let flowSeconds = (clock.now - start).seconds
            report.record(name, "\(key)_frames_per_s", rounded(Double(planes.count - 1) / flowSeconds, 1))
            if key == "flow_alone" {
                report.record(name, "score_time_over_flow_time", rounded(scoring / flowSeconds * Double(planes.count - 1) / Double(clip.count), 2))
            }
        }
        report.record(name, "frames", "ucsd_ped2 testing/04, \(clip.count) frames, 360x240, motion at half size")
    }
}
