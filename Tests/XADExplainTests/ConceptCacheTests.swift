import Foundation
import Testing
import XADDetect
import XADModels
@testable import XADExplain
import XADTensor
import XADTestSupport

/// ``StripeEnergyDetector`` with its tapped activations scaled by `gain`: a stand-in for a
/// randomised level of the model (same setup, other activations at the tap).
struct ScaledStripeEnergy: DifferentiableDetector {
    typealias Options = NoOptions
    static let name = "scaled-stripe-energy"
    static let defaultLayers = ["edges"]
    static let summary = "test score: stripe energy with scaled activations"
    static let traits = DetectorTraits(needsBackbone: false)
    let base = StripeEnergyDetector()
    var gain: Float = 2
    var setup: DetectorSetup { base.setup }
    let options = Options()

    init(gain: Float) { self.gain = gain }
    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {}
    static func fit(_ context: FitContext, options: Options) throws -> ScaledStripeEnergy { ScaledStripeEnergy(gain: 2) }
    var fittedTensors: [String: Tensor] { [:] }

    func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let output = try base.differentiableForward(batch: batch)
        let scaled = output.activations.mapValues { $0 * gain }
        return DifferentiableOutput(map: output.map, activations: scaled)
    }

    func score(batch: Tensor) throws -> [AnomalyResult] { try base.score(batch: batch) }
}

@Suite("Concept vector cache")
struct ConceptCacheTests {
    @Test func eachActivationVariantIsTrainedOnceAndKept() throws {
        let cache = ConceptVectorCache()
        let folder = try ConceptTests.folder.get()
        func vectors(_ detector: any DifferentiableDetector) throws -> ConceptActivationVectors {
            try cache.vectors(folder: folder, layer: "edges", detector: detector, randomSetCount: 10, seed: 0, inverseRegularisation: 1)
        }
        let model = try vectors(StripeEnergyDetector())
        #expect(cache.trainings == 1)
        let randomised = try vectors(ScaledStripeEnergy(gain: 2))
        #expect(cache.trainings == 2)
        // Back to the model and to the "randomised" level: both reused, not retrained.
        let modelAgain = try vectors(StripeEnergyDetector())
        let randomisedAgain = try vectors(ScaledStripeEnergy(gain: 2))
        #expect(cache.trainings == 2)
        #expect(modelAgain.random.map(\.direction) == model.random.map(\.direction))
        #expect(randomisedAgain.random.map(\.direction) == randomised.random.map(\.direction))
        // Another variant is trained again.
        _ = try vectors(ScaledStripeEnergy(gain: 3))
        #expect(cache.trainings == 3)
    }
}
