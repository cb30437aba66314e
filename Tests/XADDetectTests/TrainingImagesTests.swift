import Foundation
import Testing
import XADData
import XADDetect
import XADImage
import XADTensor
import XADTestSupport

@Suite("Saved training images")
struct TrainingImagesTests {
    @Test func aFittedSavedAndLoadedModelGivesBackItsFitImagesInOrder() throws {
        let data = try SyntheticDataset(normal: 10, perClass: 1)
        defer { data.remove() }
        let train = try DatasetFormats.load(data.root, format: "folder").train
        let fitted = try ModelFitting(detector: "padim", layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)),
                                      options: OptionOverrides(["channels": .number(20)]), holdoutFraction: 0.5).fit(on: train)
        // Held out for calibration: every second image; fitted on the others, in order.
        let expected = [0, 2, 4, 6].map { train[$0].image.absoluteURL.path }
        #expect(fitted.model.trainingImagePaths == expected)

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xad-model-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try fitted.model.write(to: url)
        let restored = try SavedModel.load(url)
        #expect(restored.trainingImagePaths == expected)
        let images = try #require(restored.trainingImages)
        #expect(images.count == 4)
        #expect(try images.image(at: 2).scalars == train[4].load().image.scalars)

        try FileManager.default.removeItem(at: train[4].image)
        let missing = #expect(throws: DetectorError.self) { try images.image(at: 2) }
        #expect(missing?.description.contains(train[4].image.lastPathComponent) == true)
    }

    @Test func aModelWithoutRecordedImagesLoadsWithNone() throws {
        let (model, _) = try SavedModelTests.smallModel()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xad-model-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        let restored = try SavedModel.load(url)
        #expect(restored.trainingImagePaths == nil && restored.trainingImages == nil)
    }
}
