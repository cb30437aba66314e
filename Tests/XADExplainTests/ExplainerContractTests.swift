import Foundation
import Testing
import XADContracts
import XADDetect
import XADExplain
import XADTensor

/// Every built-in explainer keeps the contract (``ExplainerContract``) on every built-in detector:
/// a finite map at the image's size, or a clear not-applicable error when the detector lacks
/// what the method needs. The detectors are fitted once, with their training images as context.
@Suite("Explainer contract", .serialized)
struct ExplainerContractTests {
    /// The built-in image detectors (video detectors fit on clips; their frames are explained in
    /// `VideoFrameExplanationTests`).
    static let imageDetectors = Detectors.builtIn.filter { $0.traits.input == .images }
    /// Each built-in image detector, fitted on the contract's synthetic images.
    static let detectors: [any AnomalyDetector] = imageDetectors.compactMap { try? DetectorContract.fitted($0) }

    /// Fewer samples for the sampling methods, whatever their name: the contract checks shapes,
    /// finiteness and applicability, not convergence.
    static let quickSettings = OptionOverrides(["maskCount": .number(64), "samples": .number(8), "steps": .number(8)])

    @Test(arguments: Explainers.builtIn.map { $0.name })
    func keepsTheContractOnEveryDetector(_ name: String) throws {
        #expect(Self.detectors.count == Self.imageDetectors.count, "a detector could not be fitted for the contract")
        let context = ExplanationContext(normalImages: InMemoryImages(try DetectorContract.normalImages()))
        let registered = try #require(Explainers.types.first { $0.name == name })
        let keys = Set(registered.methodDescription.options.map(\.key))
        let quick = OptionOverrides(Self.quickSettings.values.filter { keys.contains($0.key) })
        let explainer = Explainers.configured([try Explainers.named(name, options: quick)], with: context)[0]
        try ExplainerContract.checkDescription(of: type(of: explainer))
        var explained = 0
        for detector in Self.detectors where try ExplainerContract.check(explainer, on: detector) { explained += 1 }
        // Every method but concept sensitivity (which needs a concept folder) explains some detector.
        #expect(explained > 0 || name == "tcav", "\(name) explained no built-in detector")
    }
}
