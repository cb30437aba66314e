import Testing
import XADDetect
@testable import XADExplain
import XADTensor

/// The nearest exemplars' training-feature cache: reused explanations equal freshly computed ones
/// exactly, and a changed model recomputes the features.
@Suite("Nearest exemplars' feature cache")
struct ExemplarCacheTests {
    static let context = ExplanationContext(normalImages: ExplainTestModels.training)

    /// The values of a fresh explainer (features computed for this image alone) on `image`.
    static func fresh(_ detector: any AnomalyDetector, _ image: Tensor, _ target: ExplanationTarget) throws -> Explanation {
        let exemplars = NearestExemplars().using(context)
        let explanation = try exemplars.explain(detector, image: image, target: target)
        #expect(exemplars.cache.fills == 1)
        return explanation
    }

    @Test func reusedFeaturesGiveTheSameExemplarsAsFreshOnes() throws {
        let model = try ExplainTestModels.patchCore()
        let cached = NearestExemplars().using(Self.context)
        let cases: [(Tensor, ExplanationTarget)] = [(ExplainTestModels.anomalous, .imageScore),
                                                    (ExemplarTests.copy(ofTrainingImage: 1), .region(x1: 0, y1: 0, x2: 16, y2: 64)),
                                                    (ExemplarTests.copy(ofTrainingImage: 4), .region(x1: 0, y1: 0, x2: 16, y2: 64))]
        for (image, target) in cases {
            let reused = try cached.explain(model, image: image, target: target)
            let expected = try Self.fresh(model, image, target)
            // Exact: the same banks searched the same way (values hold image indices, cells and distances).
            #expect(reused.values == expected.values)
            #expect(reused.images.mapValues(\.scalars) == expected.images.mapValues(\.scalars))
        }
        #expect(cached.cache.fills == 1)
        // A copy shares the features; a new context starts without them.
        var copy = cached
        copy.options.count = 2
        _ = try copy.explain(model, image: ExplainTestModels.anomalous, target: .imageScore)
        #expect(cached.cache.fills == 1)
        #expect(cached.using(Self.context).cache.fills == 0)
    }

    @Test func anotherModelRecomputesTheFeatures() throws {
        let patchCore = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let exemplars = NearestExemplars().using(Self.context)
        _ = try exemplars.explain(patchCore, image: image, target: .imageScore)
        // The same setup with the top block's weights randomised: only the probe can tell.
        let randomised = try #require(ModelRandomisation(levels: 1, seed: 3).detectors(for: patchCore).first?.detector)
        #expect(randomised.setup == patchCore.setup)
        let afterRandomising = try exemplars.explain(randomised, image: image, target: .imageScore)
        #expect(exemplars.cache.fills == 2)
        #expect(afterRandomising.values == (try Self.fresh(randomised, image, .imageScore)).values)
        // Another detector (other layers, grid and channels).
        let padim = try ExplainTestModels.padim()
        let afterPaDiM = try exemplars.explain(padim, image: image, target: .imageScore)
        #expect(exemplars.cache.fills == 3)
        #expect(afterPaDiM.values == (try Self.fresh(padim, image, .imageScore)).values)
        // Back to the first model: computed again, and equal to its first explanation.
        #expect(try exemplars.explain(patchCore, image: image, target: .imageScore).values
            == (try Self.fresh(patchCore, image, .imageScore)).values)
        #expect(exemplars.cache.fills == 4)
    }

    // The probe is a quarter of the prepared 64 x 64 side unless that is under twice the deepest
    // stride (PaDiM here reads stage1 and stage2, stride 8: 16 x 16; PatchCore stage2 and stage3,
    // stride 16: 32 x 32), and it tells a randomised top block from the model. Exact agreement is
    // not asked for: `FeatureProbe.agree`'s tolerance is 1e-4 of the largest feature.
    @Test func theProbeIsSmallAndTellsARandomisedModel() throws {
        let first = try ExplainTestModels.training.image(at: 0)
        let padim = try ExplainTestModels.padim(), patchCore = try ExplainTestModels.patchCore()
        #expect(try ExtractorProbe(image: first, detector: padim).input.shape == [1, 3, 16, 16])
        let probe = try ExtractorProbe(image: first, detector: patchCore)
        #expect(probe.input.shape == [1, 3, 32, 32])
        #expect(try probe.agrees(with: patchCore))
        let randomised = try #require(ModelRandomisation(levels: 1, seed: 3).detectors(for: patchCore).first?.detector as? PatchCore)
        #expect(try !probe.agrees(with: randomised))
    }
}
