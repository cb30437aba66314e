import Foundation
import Testing
import XADDetect
import XADImage
import XADModels
import XADTensor

@Suite("Saved models")
struct SavedModelTests {
    /// A small PaDiM fitted on seeded noise images at 64 x 64 (fast, real backbone).
    static func smallModel() throws -> (PaDiM, [Tensor]) {
        var generator = SeededGenerator(seed: 7)
        let images = (0..<6).map { _ in Tensor.uniform([1, 3, 64, 64], generator: &generator) }
        let setup = DetectorSetup(layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)))
        var options = PaDiM.Options()
        options.channels = 20
        let model = try PaDiM.fit(on: InMemoryImages(Array(images.prefix(4))), setup: setup, options: options,
                                  backbone: try Backbones.load("efficientnet-lite0"), progress: nil)
        return (model, Array(images.suffix(2)))
    }

    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-model-\(UUID().uuidString).xadm")
    }

    @Test func aSavedModelScoresIdenticallyAfterLoading() throws {
        let (model, tests) = try Self.smallModel()
        let url = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model, threshold: 3.5).write(to: url)
        let restored = try SavedModel.load(url)
        #expect(restored.threshold == 3.5)
        #expect(type(of: restored.detector).name == "padim")
        for image in tests {
            let before = try model.score(image: image), after = try restored.detector.score(image: image)
            #expect(before.score == after.score)
            #expect(before.map.scalars == after.map.scalars)
        }
    }

    @Test func damagedTruncatedAndForeignFilesAreRefusedWithReasons() throws {
        let (model, _) = try Self.smallModel()
        let url = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        var bytes = try Data(contentsOf: url)

        // One flipped byte in the tensor data: the checksum no longer matches.
        bytes[bytes.count - 5] ^= 0xFF
        try bytes.write(to: url)
        #expect(throws: DetectorError.self) { try SavedModel.load(url) }
        do { _ = try SavedModel.load(url) } catch {
            #expect("\(error)".contains("checksum mismatch"))
        }

        // Truncated.
        try bytes.prefix(bytes.count / 2).write(to: url)
        do { _ = try SavedModel.load(url); Issue.record("expected an error") } catch {
            #expect("\(error)".hasPrefix(url.path))
        }

        // A safetensors file that is not a model.
        try Safetensors.write(try NamedWeights([WeightEntry(name: "w", tensor: .ones([2]))]), to: url)
        do { _ = try SavedModel.load(url); Issue.record("expected an error") } catch {
            #expect("\(error)".contains("not a saved model"))
        }
    }

    @Test func savedIntegersThatAreNotWholeNumbersInRangeAreRefusedNotTrapped() throws {
        let (model, _) = try Self.smallModel()
        var tensors = model.fittedTensors
        let backbone = try Backbones.load("efficientnet-lite0")
        for bad: Float in [.nan, -1, 2.5, 1e30] {
            var indices = tensors["channel_indices"]!.scalars
            indices[0] = bad
            tensors["channel_indices"] = try Tensor(shape: [indices.count], scalars: indices)
            #expect(throws: DetectorError.self) {
                try PaDiM(restoring: tensors, setup: model.setup, options: model.options, backbone: backbone)
            }
        }
        tensors = model.fittedTensors
        tensors["grid"] = try Tensor(shape: [2], scalars: [.infinity, 16])
        #expect(throws: DetectorError.self) {
            try PaDiM(restoring: tensors, setup: model.setup, options: model.options, backbone: backbone)
        }
    }
}
