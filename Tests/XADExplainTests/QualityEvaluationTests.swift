import Testing
import XADDetect
import XADExplain
import XADMetrics
import XADTensor

/// An explainer whose map is zero everywhere, as a counterfactual that changed nothing gives.
private struct ZeroMapExplainer: Explainer {
    static let name = "zero"
    static let summary = "A map of zeros."
    let options: NoOptions
    init(options: NoOptions) { self.options = options }
    func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        Explanation(method: Self.name, map: Tensor.zeros([image.shape[2], image.shape[3]]), target: target, targetValue: 0)
    }
}

@Suite("Explanation quality evaluation")
struct QualityEvaluationTests {
    // Relevance mass and rank, sparseness and entropy are undefined for an all-zero map; they are
    // left out instead of failing the method, and the measures that are defined are still given.
    @Test func measuresUndefinedForAnAllZeroMapAreLeftOut() throws {
        let detector = RegionMeanDetector(rows: 16..<32, columns: 16..<32)
        let mask = try DefectMask(height: 64, width: 64, isDefect: (0..<4096).map { (16..<32).contains($0 / 64) && (16..<32).contains($0 % 64) })
        let evaluation = QualityEvaluation(target: .region(x1: 16, y1: 16, x2: 32, y2: 32),
                                           faithfulness: Faithfulness(steps: 4, correlationRuns: 4, subsetSize: 256))
        let report = try evaluation.evaluate(ZeroMapExplainer(), detector: detector,
                                             images: [(name: "ones", image: Tensor.ones([1, 3, 64, 64]), mask: mask)])
        #expect(report.means["relevance_mass"] == nil)
        #expect(report.means["faithfulness_correlation"] == nil)
        #expect(report.means["pixel_auroc"] == 0.5)
        #expect(report.means["deletion_auc"] != nil && report.means["insertion_auc"] != nil)
    }
}
