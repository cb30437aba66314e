import Foundation
import XADDetect
import XADExplain
import XADTensor

/// A throwaway explainer, written as docs/CONTRIBUTING.md says a new one is: the detector's own
/// anomaly map, raised to a power. Registered by ``ExtensionPointTests`` only, never shipped.
struct MapEcho: Explainer {
    struct Options: MethodOptions {
        /// The exponent applied to the map. Default 1.
        var power: Float = 1
        init() {}
        static let help = [OptionHelp("power", "exponent applied to the map")]
    }

    static let name = "map-echo"
    static let summary = "the detector's own anomaly map, raised to a power (a test's throwaway explainer)"

    let options: Options

    init(options: Options) { self.options = options }

    func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        let result = try detector.score(image: image)
        let map = Tensor(shape: result.map.shape) { out in
            for (index, value) in result.map.scalars.enumerated() { out[index] = Float(Foundation.pow(Double(Swift.max(value, 0)), Double(options.power))) }
        }
        return Explanation(method: Self.name, map: map, target: target, targetValue: result.score)
    }
}
