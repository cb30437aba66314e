import Foundation
import XADTensor

/// A backbone whose top layers were replaced by random weights, and which taps those were.
public struct RandomisedBackbone: Sendable {
    /// The taps whose layers hold random weights, deepest first.
    public let randomisedTaps: [String]
    /// The network with those layers randomised and the rest pretrained.
    public let backbone: any Backbone
}

extension Backbones {
    /// The model-parameter randomisation cascade (Adebayo et al. 2018) of the pretrained backbone
    /// `name`: level 1 randomises the layers that compute the deepest of `layers`, level 2 also
    /// those of the tap below it, and so on down to the stem, `levels` levels at most.
    ///
    /// A tap's layers are the blocks run after the previous tap (the stem too, for the first).
    /// Randomising one replaces each convolution kernel by seeded Gaussian noise with the kernel's
    /// own standard deviation and zero mean; batch norms are kept, so activations stay on the
    /// scale the detector's statistics were fitted on and scores stay finite.
    ///
    /// ```swift
    /// let cascade = try Backbones.randomisedCascade("efficientnet-lite0", over: ["stage1", "stage2"], levels: 2, seed: 0)
    /// cascade.map(\.randomisedTaps)     // [["stage2"], ["stage2", "stage1"]]
    /// ```
    /// - Throws: ``BackboneError`` for an unknown backbone or tap, or `levels` below 1;
    ///   ``WeightError`` when the pretrained weights are missing.
    public static func randomisedCascade(_ name: String, over layers: [String], levels: Int, seed: UInt64,
                                         weightsPath: String? = nil) throws -> [RandomisedBackbone] {
        guard let variant = EfficientNetLiteVariant.allCases.first(where: { "efficientnet-\($0.rawValue)" == name }) else {
            throw BackboneError("unknown backbone '\(name)'; known backbones: \(names.joined(separator: ", "))")
        }
        guard levels >= 1 else { throw BackboneError("a randomisation cascade needs at least 1 level, got \(levels)") }
        let architecture = EfficientNetLiteArchitecture(variant)
        let taps = architecture.taps
        let indices = try layers.map { layer in
            guard let index = taps.firstIndex(where: { $0.name == layer }) else { throw BackboneError.unknownTap(layer, in: taps) }
            return index
        }
        guard let deepest = indices.max() else { throw BackboneError("a randomisation cascade needs at least one layer") }
        let url = try WeightLocator().locate(variant.checkpoint, explicitPath: weightsPath)
        let pretrained = try NamedWeights(contentsOf: url)
        var tensors = Dictionary(pretrained.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        var generator = SeededGenerator(seed: seed)
        var cascade: [RandomisedBackbone] = []
        for tap in stride(from: deepest, through: Swift.max(deepest - levels + 1, 0), by: -1) {
            let firstBlock = tap == 0 ? 0 : architecture.blocksBeforeTap[tap - 1]
            let prefixes = (firstBlock..<architecture.blocksBeforeTap[tap]).map { "_blocks.\($0)." } + (tap == 0 ? ["_conv_stem."] : [])
            // Sorted, because a dictionary's order changes from run to run and the draws must not.
            for key in tensors.keys.sorted() where prefixes.contains(where: key.hasPrefix) {
                if let kernel = tensors[key], kernel.rank == 4 { tensors[key] = randomKernel(like: kernel, generator: &generator) }
            }
            let network = try EfficientNetLite(variant, weights: tensors, source: "\(url.path) (randomised from \(taps[tap].name) up)")
            cascade.append(RandomisedBackbone(randomisedTaps: (tap...deepest).reversed().map { taps[$0].name }, backbone: network))
        }
        return cascade
    }

    /// Zero-mean Gaussian noise with `kernel`'s standard deviation.
    private static func randomKernel(like kernel: Tensor, generator: inout SeededGenerator) -> Tensor {
        let values = kernel.scalars
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        return Tensor.normal(kernel.shape, std: variance.squareRoot(), generator: &generator)
    }
}
