import Foundation
import Testing
import XADData
import XADDetect
import XADExplain
import XADTensor
import XADTestSupport

/// Healing, nearest exemplars and the gradient counterfactual on real MTD v1 images, through a
/// saved model whose record names its training images (what `xad explain` gets from `xad fit`).
///
/// PatchCore is fitted here on every fourth training image (to keep `make test` short); when
/// `XAD_EXPLAIN_MODEL` names a model file (e.g. from `xad fit --detector patchcore --data mtd`)
/// that model is used instead: the README numbers come from such a run.
@Suite("Counterfactual and example explanations on MTD v1", .serialized)
struct MTDExplanationTests {
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func healingLowersTheScoreOfRealDefects() throws {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let saved: SavedModel
        if let path = ProcessInfo.processInfo.environment["XAD_EXPLAIN_MODEL"] {
            saved = try SavedModel.load(URL(fileURLWithPath: path))
        } else {
            let subset = dataset.train.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("xad-mtd-\(UUID().uuidString).xadm")
            defer { try? FileManager.default.removeItem(at: url) }
            try ModelFitting(detector: "patchcore").fit(on: subset).model.write(to: url)
            saved = try SavedModel.load(url)
        }
        let trainingImages = try #require(saved.trainingImages)
        let context = ExplanationContext(normalImages: trainingImages)
        // The first test image of three defect classes.
        let defects = ["MT_Blowhole", "MT_Crack", "MT_Uneven"].compactMap { name in
            dataset.test.first { $0.label.isAnomalous && $0.image.path.contains(name) }
        }
        #expect(defects.count == 3)
        let clock = ContinuousClock()
        for reference in defects {
            let image = try reference.load().image
            var start = clock.now
            let healing = try Healing().using(context).explain(saved.detector, image: image, target: .imageScore)
            let healingTime = clock.now - start
            start = clock.now
            let exemplars = try NearestExemplars().using(context).explain(saved.detector, image: image, target: .imageScore)
            let exemplarTime = clock.now - start
            start = clock.now
            let counterfactual = try GradientCounterfactual().explain(saved.detector, image: image, target: .imageScore)
            let counterfactualTime = clock.now - start
            let score = try #require(healing.values["score"]), healed = try #require(healing.values["healed_score"])
            print("\(reference.name) \(image.shape): healing score \(score) -> \(healed) (\(healing.values["healed_patches"] ?? 0) patches, \(healingTime)); "
                  + "exemplars images \((1...3).map { Int(exemplars.values["image-\($0)"] ?? -1) }) distances \((1...3).map { exemplars.values["distance-\($0)"] ?? .nan }) (\(exemplarTime)); "
                  + "counterfactual target \(counterfactual.targetValue) -> \(counterfactual.values["counterfactual_target"] ?? .nan), score -> \(counterfactual.values["counterfactual_score"] ?? .nan), mean change \(counterfactual.values["mean_change"] ?? .nan) (\(counterfactualTime))")
            #expect(healed < score)
            #expect(healing.map.shape == [image.shape[2], image.shape[3]])
            #expect(exemplars.images["exemplar-3"] != nil)
            #expect(try #require(counterfactual.values["counterfactual_target"]) < Double(counterfactual.targetValue))
        }
    }
}
