import Testing
import XADDetect
import XADExplain
import XADMetrics
import XADTensor
import XADTestSupport

/// The model-parameter randomisation check on a small PaDiM (stage1 and stage2, 64 x 64).
@Suite("Model-parameter randomisation")
struct RandomisationTests {
    @Test func theCascadeRandomisesFromTheDeepestTapDownAndIsSeeded() throws {
        let model = try ExplainTestModels.padim()
        let cascade = try ModelRandomisation(levels: 5, seed: 3).detectors(for: model)
        // Only two taps lie at or below stage2, so five levels become two.
        #expect(cascade.map(\.randomisedTaps) == [["stage2"], ["stage2", "stage1"]])
        let image = ExplainTestModels.anomalous
        func map(_ detector: any AnomalyDetector) throws -> [Float] { try detector.score(image: image).map.scalars }
        let again = try ModelRandomisation(levels: 1, seed: 3).detectors(for: model)
        #expect(try map(cascade[0].detector) == map(again[0].detector))
        let otherSeed = try ModelRandomisation(levels: 1, seed: 4).detectors(for: model)
        #expect(try map(cascade[0].detector) != map(otherSeed[0].detector))
        #expect(try map(model) != map(cascade[0].detector))
    }

    // Adebayo et al.: an explanation of what the model learned must lose its ranking when the
    // weights are random. Unrandomised, the correlation is 1 by construction (same map); the
    // gradient methods must fall below 0.5 once the top tap is random. With the stem random too,
    // saliency climbs back to about 0.7: the gradient of a random network still follows the
    // input's edges (the square's outline), as Adebayo et al. saw for plain gradients. Every
    // level must stay clearly below 1.
    @Test(arguments: [Saliency() as any Explainer, GradCAM()])
    func gradientExplanationsLoseTheirRankingOnARandomisedModel(explainer: any Explainer) throws {
        let model = try ExplainTestModels.padim()
        let image = ExplainTestModels.anomalous
        let original = try explainer.explain(model, image: image, target: .imageScore).map
        let cascade = try ModelRandomisation(levels: 2).detectors(for: model)
        let maps = try cascade.map { try explainer.explain($0.detector, image: image, target: .imageScore).map }
        let correlations = try Randomisation.rankCorrelations(original: original, randomised: maps)
        let unchanged = try Randomisation.rankCorrelations(original: original, randomised: [original])
        #expect(abs(unchanged[0] - 1) < 1e-12)
        #expect(correlations.count == 2)
        #expect(correlations[0] < 0.5, "\(type(of: explainer).name): \(correlations)")
        #expect(correlations.allSatisfy { $0 < 0.8 }, "\(type(of: explainer).name): \(correlations)")
    }

    @Test func theEvaluationReportsEveryLevelAndTheLastAsTheColumn() throws {
        let model = try ExplainTestModels.padim()
        let mask = try DefectMask(height: 64, width: 64, isDefect: (0..<4096).map { (20..<32).contains($0 / 64) && (36..<48).contains($0 % 64) })
        let evaluation = QualityEvaluation(faithfulness: Faithfulness(steps: 4, correlationRuns: 4, subsetSize: 256),
                                           randomisation: ModelRandomisation(levels: 2))
        let report = try evaluation.evaluate(Saliency(), detector: model,
                                             images: [(name: "square", image: ExplainTestModels.anomalous, mask: mask)])
        let last = try #require(report.means["randomisation_stage2+stage1"])
        #expect(report.means["randomisation"] == last)
        #expect(report.means["randomisation_stage2"] != nil)
        #expect(QualityEvaluation.measureNames.last == "randomisation")
    }
}
