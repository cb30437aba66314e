import ArgumentParser
import Foundation
import XADExplain

/// The options of `xad explain` and `xad explain-eval` that tune the costlier explainers; each
/// left out keeps the method's documented default.
struct ExplainerSettings: ParsableArguments {
    @Option(help: "Integrated gradients: points on the path (default 50).")
    var steps: Int?

    @Option(help: "SmoothGrad: noisy samples per image (default 16).")
    var smoothgradSamples: Int?

    @Option(help: "Occlusion: window side in model pixels (default 32).")
    var occlusionWindow: Int?

    @Option(help: "Occlusion: step between windows in model pixels (default 16).")
    var occlusionStride: Int?

    @Option(help: "RISE: random masks per image (default 1000).")
    var riseMasks: Int?

    @Option(help: "KernelSHAP: coalitions sampled per image (default 256).")
    var shapSamples: Int?

    /// The explainers named in `list` ("all", or names separated by commas), with these settings.
    /// - Throws: a usage error naming the known methods for a name not in the registry.
    func explainers(_ list: String) throws -> [any Explainer] {
        do {
            let chosen = list == "all" ? Explainers.all
                : try list.split(separator: ",").map { try Explainers.named($0.trimmingCharacters(in: .whitespaces)) }
            return chosen.map(tuned)
        } catch let error as ExplainerError {
            throw CommandError.usage("\(error)")
        }
    }

    private func tuned(_ explainer: any Explainer) -> any Explainer {
        switch explainer {
        case var method as IntegratedGradients:
            method.steps = steps ?? method.steps
            return method
        case var method as SmoothGrad:
            method.samples = smoothgradSamples ?? method.samples
            return method
        case var method as Occlusion:
            method.window = occlusionWindow ?? method.window
            method.stride = occlusionStride ?? method.stride
            return method
        case var method as RISE:
            method.maskCount = riseMasks ?? method.maskCount
            return method
        case var method as KernelSHAP:
            method.samples = shapSamples ?? method.samples
            return method
        default:
            return explainer
        }
    }
}
