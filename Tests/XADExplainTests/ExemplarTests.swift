import Testing
import XADDetect
import XADExplain
import XADTensor

@Suite("Example-based explanations")
struct ExemplarTests {
    /// Training image `j` with the bright square of ``ExplainTestModels/anomalous`` in its upper
    /// right (rows 20..<32, columns 36..<48): the left half is a copy of image `j`.
    static func copy(ofTrainingImage j: UInt64) -> Tensor {
        var x = ExplainTestModels.image(seed: j)
        x.withUnsafeMutableBufferPointer { out in
            for c in 0..<3 { for y in 20..<32 { for i in 36..<48 { out[(c * 64 + y) * 64 + i] = c == 0 ? 1 : 0 } } }
        }
        return x
    }

    @Test(arguments: ["patchcore", "padim"])
    func theNearestExemplarOfACopiedPatchIsItsTrainingImage(detector: String) throws {
        let model: any AnomalyDetector = detector == "patchcore" ? try ExplainTestModels.patchCore() : try ExplainTestModels.padim()
        let exemplars = NearestExemplars().using(ExplanationContext(normalImages: ExplainTestModels.training))
        for j in [1, 4] as [UInt64] {
            let image = Self.copy(ofTrainingImage: j)
            // The left half, away from the square's receptive field.
            let target = ExplanationTarget.region(x1: 0, y1: 0, x2: 16, y2: 64)
            let explanation = try exemplars.explain(model, image: image, target: target)
            #expect(explanation.values["image-1"] == Double(j))
            #expect(explanation.values["row-1"] == explanation.values["query_row"])
            #expect(explanation.values["column-1"] == explanation.values["query_column"])
            let distances = try [1, 2, 3].map { try #require(explanation.values["distance-\($0)"]) }
            #expect(distances == distances.sorted())
            #expect(distances[0] < 0.5 * distances[1])
            // The copied patch's crop is the training image's crop, pixel for pixel.
            let query = try #require(explanation.images["query"]), first = try #require(explanation.images["exemplar-1"])
            // 3 x 3 cells of 8 pixels (PatchCore's stage2 grid, 8 x 8) or 4 (PaDiM's stage1 grid, 16 x 16).
            #expect(query.shape == (detector == "patchcore" ? [1, 3, 24, 24] : [1, 3, 12, 12]))
            #expect(query.scalars == first.scalars)
            #expect(explanation.images["exemplar-3"] != nil && explanation.images["exemplar-4"] == nil)
            #expect(explanation.map.scalars == (try model.score(image: image).map.scalars))
        }
    }

    @Test func theImageScoreQueriesTheMostAnomalousPatch() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let explanation = try NearestExemplars(count: 2).using(ExplanationContext(normalImages: ExplainTestModels.training))
            .explain(model, image: image, target: .imageScore)
        let scores = try model.score(image: image).provenance.patchScores.scalars
        let worst = try #require(scores.indices.max { scores[$0] < scores[$1] })
        #expect(explanation.values["query_row"] == Double(worst / 8) && explanation.values["query_column"] == Double(worst % 8))
        #expect(explanation.values["query_score"] == Double(scores[worst]))
        #expect(explanation.images.keys.sorted() == ["exemplar-1", "exemplar-2", "query"])
    }

    @Test func exemplarsSayWhatTheyAreMissing() throws {
        let model = try ExplainTestModels.patchCore()
        let image = ExplainTestModels.anomalous
        let missing = #expect(throws: ExplainerError.self) { try NearestExemplars().explain(model, image: image, target: .imageScore) }
        #expect(missing?.notApplicableReason?.contains("normal training images") == true)
        let scoreOnly = ScoreOnlyDetector(SquaredStage2Detector(backbone: try ExplainTestModels.backbone.get()))
        let noFeatures = #expect(throws: ExplainerError.self) {
            try NearestExemplars().using(ExplanationContext(normalImages: ExplainTestModels.training))
                .explain(scoreOnly, image: image, target: .imageScore)
        }
        #expect(noFeatures?.notApplicableReason?.contains("patch features") == true)
    }
}
