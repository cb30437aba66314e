import Testing
import XADMetrics
import XADTensor
import XADTestSupport
@testable import XADExplain

/// Reference values: Tools/reference/gen_quality.py (the published formulas as Quantus states
/// them, in NumPy, with SciPy and scikit-learn); tolerance 1e-6 relative unless stated.
@Suite("Explanation quality")
struct QualityTests {
    let fixture: Fixture
    let map: Tensor
    let mask: DefectMask

    init() throws {
        fixture = try Fixture("quality/measures.json")
        map = try fixture.tensor("map").reshaped([16, 16])
        mask = try DefectMask(height: 16, width: 16, values: try fixture.tensor("mask").scalars)
    }

    private func expected(_ key: String) throws -> Double { try #require(fixture[key]?.double) }
    private func close(_ value: Double, _ reference: Double, _ tolerance: Double = 1e-6) -> Bool {
        abs(value - reference) <= tolerance * max(abs(reference), 1)
    }

    @Test func localisationMatchesTheReference() throws {
        #expect(try Localisation.pointingGame(map, mask: mask) == expected("pointing_game"))
        #expect(close(try Localisation.relevanceMassAccuracy(map, mask: mask), try expected("relevance_mass_accuracy")))
        #expect(close(try Localisation.relevanceRankAccuracy(map, mask: mask), try expected("relevance_rank_accuracy")))
        #expect(close(try Localisation.pixelMetrics([map], masks: [mask]).auroc, try expected("pixel_auroc")))
    }

    @Test func localisationOfAPerfectMap() throws {
        let perfect = try Tensor(shape: [16, 16], scalars: mask.isDefect.map { $0 ? 1 : 0 })
        #expect(try Localisation.pointingGame(perfect, mask: mask) == 1)
        #expect(try Localisation.relevanceMassAccuracy(perfect, mask: mask) == 1)
        #expect(try Localisation.relevanceRankAccuracy(perfect, mask: mask) == 1)
        let metrics = try Localisation.pixelMetrics([perfect], masks: [mask])
        #expect(metrics.auroc == 1 && abs(metrics.aupro - 1) < 1e-9)
        let empty = try DefectMask(height: 16, width: 16, isDefect: Array(repeating: false, count: 256))
        #expect(throws: QualityError.self) { try Localisation.pointingGame(perfect, mask: empty) }
        #expect(throws: QualityError.self) { try Localisation.pointingGame(Tensor.ones([8, 8]), mask: mask) }
    }

    @Test func complexityMatchesTheReference() throws {
        let signed = try fixture.tensor("signed")
        #expect(close(try Complexity.sparseness(signed), try expected("sparseness"), 1e-5))
        #expect(close(try Complexity.entropy(signed), try expected("entropy"), 1e-6))
        // One non-zero pixel: entropy 0, Gini (n - 1)/n up to the 1e-7 offset. tolerance 1e-5.
        var spike = [Float](repeating: 0, count: 100)
        spike[7] = 3
        let single = try Tensor(shape: [10, 10], scalars: spike)
        #expect(try Complexity.entropy(single) == 0)
        #expect(abs(try Complexity.sparseness(single) - 0.99) < 1e-5)
        #expect(throws: QualityError.self) { try Complexity.entropy(Tensor.zeros([4, 4])) }
    }

    @Test func correlationsMatchSciPy() throws {
        let x = try #require(fixture["x"]?.doubles), y = try #require(fixture["y"]?.doubles)
        #expect(close(try Correlation.pearson(x, y), try expected("pearson"), 1e-12))
        #expect(close(try Correlation.spearman(x, y), try expected("spearman"), 1e-12))
        #expect(Correlation.ranks([3, 1, 3, 2] as [Double]) == [3.5, 1, 3.5, 2] as [Double])
        #expect(throws: QualityError.self) { try Correlation.pearson([1, 1, 1] as [Double], [1, 2, 3] as [Double]) }
    }

    @Test func randomisationRankCorrelations() throws {
        let original = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Float])
        let same = try Tensor(shape: [2, 2], scalars: [10, 20, 30, 40] as [Float])
        let reversed = try Tensor(shape: [2, 2], scalars: [4, 3, 2, 1] as [Float])
        let correlations = try Randomisation.rankCorrelations(original: original, randomised: [same, reversed])
        #expect(abs(correlations[0] - 1) < 1e-12 && abs(correlations[1] + 1) < 1e-12)
        #expect(throws: QualityError.self) { try Randomisation.rankCorrelations(original: original, randomised: [Tensor.ones([4])]) }
    }

    @Test func deletionAndInsertionOfThePerfectMap() throws {
        // Target: the test detector's map mean over rows/columns 16..<32 (256 pixels) of a 64 x 64 all-ones image,
        // +1 kept, -1 removed. The perfect map ranks those 256 pixels first; with 16 steps of 256
        // pixels, step 1 removes (inserts) exactly the region. Areas: (1 - 1)/2/16 - 15/16.
        // tolerance: 1e-6 absolute.
        let detector = RegionMeanDetector(rows: 16..<32, columns: 16..<32)
        let image = Tensor.ones([1, 3, 64, 64])
        let perfect = try Tensor(shape: [64, 64], scalars: (0..<4096).map { (16..<32).contains($0 / 64) && (16..<32).contains($0 % 64) ? 1 : 0 })
        let faithfulness = Faithfulness(steps: 16, baseline: .constant(0), correlationRuns: 30, subsetSize: 512, seed: 1)
        let curves = try faithfulness.deletionInsertion(detector, image: image, map: perfect, target: .region(x1: 16, y1: 16, x2: 32, y2: 32))
        #expect(curves.deletion == [1] + Array(repeating: -1, count: 16) as [Float])
        #expect(curves.insertion == [-1] + Array(repeating: 1, count: 16) as [Float])
        #expect(abs(curves.deletionArea + 0.9375) < 1e-6 && abs(curves.insertionArea - 0.9375) < 1e-6)
        // The drop of a random subset is 2 · |S ∩ region| / 256 and its relevance |S ∩ region|:
        // perfectly correlated. tolerance: 1e-5.
        #expect(abs(try faithfulness.correlation(detector, image: image, map: perfect, target: .region(x1: 16, y1: 16, x2: 32, y2: 32)) - 1) < 1e-5)
    }

    @Test func maxSensitivityIsBoundedByTheNoise() throws {
        // With the identity "explanation" the ratio is ‖δ‖ / ‖x‖ for x all ones: at most the radius
        // and, for 400 uniform values, close to radius / √3 (RMS of U(-r, r)).
        let image = Tensor.ones([1, 1, 20, 20])
        let identity = try Robustness.maxSensitivity(image: image, samples: 5, radius: 0.1, seed: 2) { $0 }
        #expect(identity <= 0.1 && identity > 0.05)
        #expect(try Robustness.maxSensitivity(image: image, samples: 5, radius: 0.1, seed: 2) { $0 } == identity)
        #expect(try Robustness.maxSensitivity(image: image, samples: 3) { _ in Tensor.ones([4]) } == 0)
    }

    @Test func evaluationOfAnExactOcclusionMap() throws {
        // Occlusion of the region target gives 0.5 on the 256 region pixels and 0 elsewhere
        // (see PerturbationTests): perfect localisation, Gini 1 - 256/4096 = 0.9375 (up to the
        // 1e-7 offset), entropy ln 256. tolerance: 1e-4 absolute.
        let detector = RegionMeanDetector(rows: 16..<32, columns: 16..<32)
        let mask = try DefectMask(height: 64, width: 64, isDefect: (0..<4096).map { (16..<32).contains($0 / 64) && (16..<32).contains($0 % 64) })
        let evaluation = QualityEvaluation(target: .region(x1: 16, y1: 16, x2: 32, y2: 32),
                                           faithfulness: Faithfulness(steps: 16, baseline: .constant(0), correlationRuns: 20, subsetSize: 512),
                                           robustnessSamples: 2)
        let report = try evaluation.evaluate(Occlusion(window: 8, stride: 8, baseline: .constant(0)), detector: detector,
                                             images: [(name: "ones", image: Tensor.ones([1, 3, 64, 64]), mask: mask)])
        #expect(report.method == "occlusion")
        for (measure, value) in [("pixel_auroc", 1.0), ("aupro", 1.0), ("pointing_game", 1.0), ("relevance_mass", 1.0),
                                 ("relevance_rank", 1.0), ("faithfulness_correlation", 1.0), ("sparseness", 0.9375),
                                 ("entropy", 5.545177444479562), ("deletion_auc", -0.9375), ("insertion_auc", 0.9375)] {
            let measured = try #require(report.means[measure], "\(measure)")
            #expect(abs(measured - value) < 1e-4, "\(measure): \(measured)")
        }
        // The explanation of a constant image does not change under small noise far from the edges,
        // and the region's windows see the noise only through the score; it stays small.
        #expect(try #require(report.means["max_sensitivity"]) < 0.1)
    }
}
