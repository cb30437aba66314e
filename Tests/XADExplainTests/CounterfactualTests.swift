import Testing
import XADDetect
import XADExplain
import XADTensor

@Suite("Counterfactual explanations")
struct CounterfactualTests {
    static var context: ExplanationContext { ExplanationContext(normalImages: ExplainTestModels.training) }

    /// The row-major cells of `scores` above NumPy's `quantile(scores, q)` (linear).
    static func cells(above q: Double, of scores: [Float]) -> Set<Int> {
        let sorted = scores.sorted()
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let threshold = sorted[below] + Float(position - Double(below)) * (sorted[above] - sorted[below])
        return Set(scores.indices.filter { scores[$0] > threshold })
    }

    // Exact: feather 0 copies pixels (training images are already at the explained image's size).
    @Test func healingPastesEachAnomalousPatchsNearestNormalPatchAndNothingElse() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let result = try model.score(image: image)
        let grid = result.provenance.grid
        #expect(grid == Size2(8))   // stage2 at 64 x 64: 8-pixel cells
        let expected = Self.cells(above: 0.9, of: result.provenance.patchScores.scalars)
        #expect(expected.count == 7)

        let explanation = try Healing(feather: 0, sourcing: .eachPatch).using(Self.context).explain(model, image: image, target: .imageScore)
        let healed = try #require(explanation.images["counterfactual"])
        #expect(healed.shape == image.shape)
        #expect(explanation.values["healed_patches"] == 7)
        let training = ExplainTestModels.training
        let (input, output) = (image.scalars, healed.scalars)
        for cell in 0..<64 {
            let (row, column) = (cell / 8, cell % 8)
            let source = result.provenance.nearestNormal[cell]
            let normal = try training.image(at: source.image).scalars
            for c in 0..<3 { for dy in 0..<8 { for dx in 0..<8 {
                let at = (c * 64 + row * 8 + dy) * 64 + column * 8 + dx
                let from = (c * 64 + source.row * 8 + dy) * 64 + source.column * 8 + dx
                if expected.contains(cell) {
                    #expect(output[at] == normal[from])
                } else {
                    #expect(output[at] == input[at])
                }
            } } }
        }
        let score = try #require(explanation.values["score"]), healedScore = try #require(explanation.values["healed_score"])
        #expect(healedScore < score)
        #expect(abs(Float(healedScore) - (try model.score(image: healed).score)) <= 1e-6)
    }

    // Exact, as above.
    @Test func healingByRegionCopiesEachRegionFromItsWorstPatchsNearestNormalPlace() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let result = try model.score(image: image)
        let scores = result.provenance.patchScores.scalars
        let healedCells = Self.cells(above: 0.9, of: scores)
        let worst = try #require(scores.indices.max { scores[$0] < scores[$1] })
        // The 8-connected region of healed cells around the worst cell.
        var region: Set<Int> = [worst], frontier = [worst]
        while let cell = frontier.popLast() {
            for other in healedCells where !region.contains(other) && max(abs(other / 8 - cell / 8), abs(other % 8 - cell % 8)) == 1 {
                region.insert(other)
                frontier.append(other)
            }
        }
        let source = result.provenance.nearestNormal[worst]
        let (dy, dx) = (8 * (source.row - worst / 8), 8 * (source.column - worst % 8))
        let normal = try ExplainTestModels.training.image(at: source.image).scalars
        let healed = try #require(try Healing(feather: 0, sourcing: .eachRegion).using(Self.context).explain(model, image: image, target: .imageScore)
            .images["counterfactual"]).scalars
        for cell in region { for c in 0..<3 { for y in (cell / 8 * 8)..<(cell / 8 * 8 + 8) { for x in (cell % 8 * 8)..<(cell % 8 * 8 + 8) {
            let (sy, sx) = (min(max(y + dy, 0), 63), min(max(x + dx, 0), 63))
            #expect(healed[(c * 64 + y) * 64 + x] == normal[(c * 64 + sy) * 64 + sx])
        } } } }
    }

    @Test func featheredHealingLowersTheScoreAndLeavesDistantPatchesAlone() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let result = try model.score(image: image)
        let healedCells = Self.cells(above: 0.9, of: result.provenance.patchScores.scalars)
        let explanation = try Healing().using(Self.context).explain(model, image: image, target: .imageScore)
        let healed = try #require(explanation.images["counterfactual"])
        #expect(try #require(explanation.values["healed_score"]) < (try #require(explanation.values["score"])))
        #expect(explanation.map.shape == [64, 64])
        let (input, output, map) = (image.scalars, healed.scalars, explanation.map.scalars)
        #expect(output.allSatisfy { (0...1).contains($0) })
        for y in 0..<64 { for x in 0..<64 {
            // A feather of half a cell reaches 4 pixels into the neighbouring cells only.
            let near = healedCells.contains { max(abs($0 / 8 * 8 + 4 - y), abs($0 % 8 * 8 + 4 - x)) <= 8 }
            if !near {
                for c in 0..<3 { #expect(output[(c * 64 + y) * 64 + x] == input[(c * 64 + y) * 64 + x]) }
                #expect(map[y * 64 + x] == 0)
            }
        } }
    }

    @Test func healingUsesTheKNNDetectorsNearestTrainingPatchesToo() throws {
        var options = SPADE.Options()
        options.sigma = 2
        let setup = DetectorSetup(layers: SPADE.defaultLayers, preprocessing: ExplainTestModels.setup.preprocessing)
        let model = try SPADE.fit(on: ExplainTestModels.training, setup: setup, options: options,
                                  backbone: ExplainTestModels.backbone.get(), progress: nil)
        let explanation = try Healing().using(Self.context).explain(model, image: ExplainTestModels.anomalous, target: .imageScore)
        #expect(explanation.values["healed_patches"] == 7)
        // kNN's image score pools the deepest layer over the whole image; the map's maximum is
        // what the healed patches lower.
        #expect(try #require(explanation.values["healed_target"]) < (try #require(explanation.values["target"])))
    }

    @Test func healingSaysWhatItIsMissing() throws {
        let patchCore = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let withoutImages = #expect(throws: ExplainerError.self) { try Healing().explain(patchCore, image: image, target: .imageScore) }
        #expect(withoutImages?.notApplicableReason?.contains("normal training images") == true)
        let padim = try ExplainTestModels.padim()
        let noProvenance = #expect(throws: ExplainerError.self) {
            try Healing().using(Self.context).explain(padim, image: image, target: .imageScore)
        }
        #expect(noProvenance?.notApplicableReason?.contains("memory-bank") == true)
        let tooFew = ExplanationContext(normalImages: InMemoryImages([ExplainTestModels.image(seed: 0)]))
        let wrongImages = #expect(throws: ExplainerError.self) {
            try Healing(selection: .quantile(0), sourcing: .eachPatch).using(tooFew).explain(patchCore, image: image, target: .imageScore)
        }
        #expect(wrongImages?.invalidInputMessage?.contains("1 normal images were given") == true)
    }

    @Test func gradientCounterfactualLowersTheTargetAndLambdaKeepsItClose() throws {
        let model = try ExplainTestModels.padim()
        let image = ExplainTestModels.anomalous
        let loose = try GradientCounterfactual(steps: 12, learningRate: 0.02, lambda: 0).explain(model, image: image, target: .imageScore)
        let tight = try GradientCounterfactual(steps: 12, learningRate: 0.02, lambda: 20).explain(model, image: image, target: .imageScore)
        for explanation in [loose, tight] {
            let counterfactual = try #require(explanation.images["counterfactual"])
            #expect(counterfactual.shape == image.shape)
            #expect(counterfactual.scalars.allSatisfy { (0...1).contains($0) })
            #expect(try #require(explanation.values["counterfactual_target"]) < Double(explanation.targetValue))
            // The map is the change summed over channels.
            let change = try #require(explanation.values["mean_change"])
            #expect(abs(Double(explanation.map.scalars.reduce(0, +)) / Double(3 * 64 * 64) - change) <= 1e-4 * change)
        }
        #expect(try #require(tight.values["mean_change"]) < (try #require(loose.values["mean_change"])))
        print("counterfactual (PaDiM, 64 x 64, 12 steps): target \(loose.targetValue) -> \(loose.values["counterfactual_target"] ?? .nan) (lambda 0, mean change \(loose.values["mean_change"] ?? .nan)), -> \(tight.values["counterfactual_target"] ?? .nan) (lambda 20, mean change \(tight.values["mean_change"] ?? .nan))")
    }

    @Test func gradientCounterfactualNeedsADifferentiableDetector() throws {
        let model = ScoreOnlyDetector(SquaredStage2Detector(backbone: try ExplainTestModels.backbone.get()))
        #expect(throws: ExplainerError.notDifferentiable(detector: "score-only", method: "counterfactual")) {
            try GradientCounterfactual().explain(model, image: ExplainTestModels.image(seed: 1), target: .imageScore)
        }
    }
}

@Suite("Nearest-normal baseline")
struct NearestNormalBaselineTests {
    // Exact: the same baseline image, prepared the same way, gives the same attributions.
    @Test func integratedGradientsStartsFromTheNearestNormalTrainingImage() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let index = try #require(IntegratedGradients.nearestNormalImage(of: try model.score(image: image)))
        let nearest = try IntegratedGradients(steps: 4, baseline: .nearestNormal).using(CounterfactualTests.context)
            .explain(model, image: image, target: .imageScore)
        let given = try IntegratedGradients(steps: 4, baseline: .image(try ExplainTestModels.training.image(at: index)))
            .explain(model, image: image, target: .imageScore)
        #expect(nearest.map.scalars == given.map.scalars)
        #expect(nearest.options["baseline"] == "nearest normal training image")
        let withoutImages = #expect(throws: ExplainerError.self) {
            try IntegratedGradients(steps: 4, baseline: .nearestNormal).explain(model, image: image, target: .imageScore)
        }
        #expect(withoutImages?.notApplicableReason?.contains("normal training images") == true)
        let withoutProvenance = #expect(throws: ExplainerError.self) {
            try IntegratedGradients(steps: 4, baseline: .nearestNormal).using(CounterfactualTests.context)
                .explain(try ExplainTestModels.padim(), image: image, target: .imageScore)
        }
        #expect(withoutProvenance?.notApplicableReason?.contains("nearest normal training patch") == true)
    }

    // SmoothGrad hands the context on to its base: with the training images it runs over the
    // nearest-normal baseline, without them it fails as integrated gradients alone does.
    @Test func smoothGradPassesTheContextToItsBase() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let smooth = SmoothGrad(base: IntegratedGradients(steps: 4, baseline: .nearestNormal), samples: 2)
        let explanation = try smooth.using(CounterfactualTests.context).explain(model, image: image, target: .imageScore)
        #expect(explanation.map.shape == [image.shape[2], image.shape[3]])
        #expect(explanation.map.scalars.contains { $0 != 0 })
        let withoutImages = #expect(throws: ExplainerError.self) {
            try smooth.explain(model, image: image, target: .imageScore)
        }
        #expect(withoutImages?.notApplicableReason?.contains("normal training images") == true)
    }
}
