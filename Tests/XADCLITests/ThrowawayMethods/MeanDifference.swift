import XADDetect
import XADModels
import XADTensor

/// A throwaway detector, written as docs/CONTRIBUTING.md says a new one is: the mean normal
/// image, and each pixel's absolute difference from it (summed over channels) as the map. No
/// backbone. It is registered by ``ExtensionPointTests`` only, never shipped.
struct MeanDifference: AnomalyDetector {
    struct Options: MethodOptions {
        /// Scales the map. Default 1.
        var gain: Float = 1
        init() {}
        static let help = [OptionHelp("gain", "scales the map")]
    }

    static let name = "mean-difference"
    static let summary = "absolute difference from the mean normal image (a test's throwaway detector)"
    static let defaultLayers: [String] = []
    static let traits = DetectorTraits(needsBackbone: false)

    let setup: DetectorSetup
    let options: Options
    let mean: Tensor

    static func fit(_ context: FitContext, options: Options) throws -> MeanDifference {
        var total: Tensor?
        for index in 0..<context.images.count {
            let prepared = try context.setup.preprocessing(try context.images.image(at: index))
            total = try total.map { try $0 + prepared } ?? prepared
        }
        guard let total else { throw DetectorError.noTrainingImages }
        return MeanDifference(setup: context.setup, options: options, mean: try total * (1 / Float(context.images.count)))
    }

    private init(setup: DetectorSetup, options: Options, mean: Tensor) {
        (self.setup, self.options, self.mean) = (setup, options, mean)
    }

    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        guard let mean = tensors["mean"] else { throw DetectorError.invalidInput("the saved model has no tensor 'mean'") }
        self.init(setup: setup, options: options, mean: mean)
    }

    var fittedTensors: [String: Tensor] { ["mean": mean] }

    func score(batch: Tensor) throws -> [AnomalyResult] {
        let (height, width) = (batch.shape[2], batch.shape[3])
        return try (0..<batch.shape[0]).map { index in
            let image = try batch.sliced(axis: 0, range: index..<(index + 1))
            let map = try ((image - mean).abs().sum(axes: [0, 1]) * options.gain).reshaped([height, width])
            return AnomalyResult(score: try map.max().scalar ?? 0, map: map,
                                 provenance: Provenance(layers: [], grid: Size2(height: height, width: width), patchScores: map))
        }
    }
}
