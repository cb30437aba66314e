import Foundation
import XADDetect
import XADExplain
import XADModels
import XADTensor

/// Gradient and CAM explainers on a PaDiM model (EfficientNet-Lite0, anomalib's layers, 100
/// channels, fitted on 8 smooth synthetic 256 x 256 images): seconds per 256 x 256 image for
/// integrated gradients (50 steps, black baseline, 8 interpolated inputs per pass) and Grad-CAM
/// (the coarsest layer, stage3), image-score target; median of a few runs after a warm-up. Also
/// the least process CPU seconds of a few runs on one thread (`_1thread_cpu_seconds`): the figure
/// other processes' load hardly moves.
/// Tools/bench/peer_explain.py times Captum and pytorch-grad-cam on the same kind of score.
struct ExplainBenchmarks: BenchmarkSuite {
    let name = "explain"
    let size = 256

    func run(into report: inout BenchmarkReport) throws {
        let (model, image) = try SyntheticPaDiM.modelAndImage(size: size)
        let methods: [(String, any Explainer, Int)] = [
            ("integrated_gradients_50_steps", IntegratedGradients(steps: 50), 3),
            ("grad_cam", GradCAM(), 5),
            ("saliency", Saliency(), 5),
        ]
        for (key, explainer, repetitions) in methods {
            let seconds = try medianSeconds(repetitions: repetitions) {
                _ = try explainer.explain(model, image: image, target: .imageScore)
            }
            report.record(name, "\(key)_padim_\(size)_seconds_per_image", rounded(seconds, 3))
        }
        let threads = Threads.count
        Threads.count = 1
        defer { Threads.count = threads }
        for (key, explainer, repetitions) in methods {
            let seconds = try cpuSeconds(repetitions: Swift.max(repetitions - 1, 2)) {
                _ = try explainer.explain(model, image: image, target: .imageScore)
            }
            report.record(name, "\(key)_padim_\(size)_1thread_cpu_seconds", rounded(seconds, 3))
        }
    }
}
