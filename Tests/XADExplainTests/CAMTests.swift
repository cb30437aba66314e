import Testing
import XADDetect
import XADExplain
import XADTensor
import XADTestSupport

@Suite("CAM explainers")
struct CAMTests {
    // pytorch-grad-cam 1.5.7 on stage1 with the score as target, min-max scaled as it returns.
    // tolerance: 2e-3 absolute on the [0, 1] map (float32 here, float64 in PyTorch).
    @Test(arguments: [("gradcam", GradCAM(layer: "stage1") as any Explainer), ("gradcampp", GradCAMPlusPlus(layer: "stage1"))])
    func matchesPytorchGradCAM(key: String, explainer: any Explainer) throws {
        let fixture = try Fixture("explain/lite0_squared_stage2.json")
        let model = SquaredStage2Detector(backbone: try ExplainTestModels.backbone.get())
        let explanation = try explainer.explain(model, image: fixture.tensor("input"), target: GradientTests.wholeImage)
        #expect(explanation.options["layer"] == "stage1")
        #expect(toleranceRatio(explanation.map, try fixture.tensor(key), absolute: 2e-3, relative: 0) <= 1)
    }

    @Test func defaultLayerIsTheCoarsest() throws {
        let model = try ExplainTestModels.padim()
        let explanation = try GradCAM().explain(model, image: ExplainTestModels.anomalous, target: .imageScore)
        #expect(explanation.options["layer"] == "stage2")
        #expect(explanation.map.shape == [64, 64])
        #expect(explanation.map.scalars.max() == 1 || abs((explanation.map.scalars.max() ?? 0) - 1) < 1e-5)
    }

    // Score-CAM needs no gradients: on a detector that only scores (given the backbone) it gives
    // exactly the map it gives on the differentiable one. tolerance: 1e-6 absolute.
    @Test func scoreCAMWorksWithoutGradients() throws {
        let backbone = try ExplainTestModels.backbone.get()
        let differentiable = SquaredStage2Detector(backbone: backbone)
        let image = ExplainTestModels.anomalous
        let reference = try ScoreCAM(layer: "stage1").explain(differentiable, image: image, target: .imageScore)
        let scoreOnly = try ScoreCAM(layer: "stage1", backbone: backbone)
            .explain(ScoreOnlyDetector(differentiable), image: image, target: .imageScore)
        #expect(toleranceRatio(scoreOnly.map, reference.map, absolute: 1e-6, relative: 0) <= 1)
        #expect(reference.map.shape == [64, 64])
        #expect(abs(reference.targetValue - (try differentiable.score(image: image).score)) <= 1e-3)
        let withoutBackbone = #expect(throws: ExplainerError.self) {
            try ScoreCAM().explain(ScoreOnlyDetector(differentiable), image: image, target: .imageScore)
        }
        #expect(withoutBackbone?.notApplicableReason?.contains("pass its backbone") == true)
    }
}
