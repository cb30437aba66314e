import Foundation
import XADDetect
import XADExplain
import XADModels
import XADTensor

/// Perturbation explainers on a PaDiM model (EfficientNet-Lite0, anomalib's layers, 100
/// channels, fitted on 8 smooth synthetic 256 x 256 images): seconds per 256 x 256 image for
/// occlusion (window 32, stride 16: 226 scored images) and RISE (1000 masks), default options,
/// batches of 16, image-score target; one timed run after a small warm-up.
struct PerturbationBenchmarks: BenchmarkSuite {
    let name = "perturbation"
    let size = 256

    func run(into report: inout BenchmarkReport) throws {
        let (model, image) = try SyntheticPaDiM.modelAndImage(size: size)
        _ = try Occlusion(window: 128, stride: 128).explain(model, image: image, target: .imageScore)
        for (key, explainer) in [("occlusion_w32_s16", Occlusion() as any Explainer), ("rise_1000_masks", RISE())] {
            let start = DispatchTime.now().uptimeNanoseconds
            let explanation = try explainer.explain(model, image: image, target: .imageScore)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            report.record(name, "\(key)_padim_\(size)_seconds_per_image", rounded(seconds, 2))
            if let scored = explanation.values["scoredImages"] {
                report.record(name, "\(key)_padim_\(size)_scored_images_per_s", rounded(scored / seconds, 1))
            }
        }
    }
}
