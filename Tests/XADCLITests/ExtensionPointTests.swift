import Foundation
import Testing
@testable import xad
import XADContracts
import XADDetect
import XADExplain

/// A new detector or explainer is its folder plus one registration line: a throwaway pair
/// defined in this test target (``MeanDifference``, ``MapEcho``), once registered, appears in the
/// help texts built from the registries and keeps the same contracts as the built-in methods.
@Suite("Extension points", .serialized)
struct ExtensionPointTests {
    @Test func aRegisteredDetectorAndExplainerAppearInHelpAndKeepTheContracts() throws {
        Detectors.register(MeanDifference.self)
        Explainers.register(MapEcho.self)
        defer {
            Detectors.unregister(MeanDifference.name)
            Explainers.unregister(MapEcho.name)
        }
        let root = XAD.helpMessage(columns: 400)
        #expect(root.contains("mean-difference") && root.contains("map-echo"))
        let fit = FitCommand.helpMessage(columns: 400)
        #expect(fit.contains("mean-difference: absolute difference from the mean normal image"))
        #expect(fit.contains("gain = 1: scales the map"))
        let explain = ExplainCommand.helpMessage(columns: 400)
        #expect(explain.contains("map-echo: the detector's own anomaly map"))
        #expect(explain.contains("power = 1: exponent applied to the map"))

        try DetectorContract.check(MeanDifference.self)
        let detector = try DetectorContract.fitted(MeanDifference.self)
        #expect(try ExplainerContract.check(MapEcho(), on: detector))
        try ExplainerContract.checkDescription(of: MapEcho.self)
        // A built-in explainer that needs gradients refuses the throwaway detector clearly.
        #expect(try !ExplainerContract.check(try Explainers.named("saliency"), on: detector))
        // The throwaway explainer is found by name, with --set style options.
        let tuned = try Explainers.named("map-echo", options: OptionOverrides(settings: ["power=2"]))
        #expect((tuned as? MapEcho)?.options.power == 2)
    }
}
