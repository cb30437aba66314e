import Testing
@testable import XADDetect
import XADContracts
import XADModels
import XADTensor
import XADTestSupport

/// Fits a trained, differentiable detector on the contract's synthetic images and checks what
/// every such detector promises: the loss falls over the `epochs` that `options` asks for, the
/// differentiable map equals the scored map (within 1e-6 absolute plus 1e-5 relative), the
/// detector's default taps are recorded, and the map's gradient with respect to the input is
/// finite and not zero. Returns the scored anomalous image for the detector's own checks.
func expectTrainsWithADifferentiableMap<D: DifferentiableDetector>(_ type: D.Type, options: D.Options,
                                                                   epochs: Int) throws -> AnomalyResult {
    let setup = DetectorContract.setup(for: D.self)
    let context = FitContext(images: InMemoryImages(try DetectorContract.normalImages()), setup: setup,
                             backbone: try Backbones.load(setup.backbone))
    let model = try D.fit(context, options: options)
    let losses = try #require(model.trainingRecord?.losses)
    #expect(losses.count == epochs && losses[epochs - 1] < losses[0], "\(losses)")

    let image = try setup.preprocessing(try DetectorContract.anomalousImage())
    let scored = try model.score(batch: image)[0]
    let tape = GradientTape()
    let input = tape.watch(image)
    let output = try model.differentiableForward(batch: input)
    #expect(toleranceRatio(try output.map.reshaped([64, 64]), scored.map, absolute: 1e-6, relative: 1e-5) <= 1)
    #expect(Set(output.activations.keys).isSuperset(of: D.defaultLayers))
    let gradient = try tape.gradient(of: try output.map.sum(), withRespectTo: input)
    #expect(gradient.scalars.allSatisfy(\.isFinite) && gradient.scalars.contains { $0 != 0 })
    return scored
}
