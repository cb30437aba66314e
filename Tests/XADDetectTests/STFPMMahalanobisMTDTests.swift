import Foundation
import Testing
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// STFPM and the Mahalanobis detector trained on a tiny real subset of MTD v1 (`../shared/data/mtd`)
/// and scored on a small balanced test subset: a smoke test that they detect real defects, not a
/// benchmark (the README figures come from `xad fit` / `xad evaluate` on the whole split).
///
/// Subset: every 8th of protocol v1's training images (30 defect-free), at 96 x 96; test: every
/// 12th defect-free test image and every 12th defective one (20 and 33).
@Suite("STFPM and Mahalanobis on an MTD subset", .serialized)
struct STFPMMahalanobisMTDTests {
    static let size = Size2(96)

    struct Subset {
        var train: [Tensor]
        var test: [Tensor]
        var labels: [Bool]
    }

    static func subset() throws -> Subset {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let train = dataset.train.enumerated().filter { $0.offset % 8 == 0 }.map(\.element)
        let normal = dataset.test.filter { !$0.label.isAnomalous }.enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        let defective = dataset.test.filter(\.label.isAnomalous).enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        return Subset(train: try train.map { try $0.load().image }, test: try (normal + defective).map { try $0.load().image },
                      labels: normal.map { _ in false } + defective.map { _ in true })
    }

    static func auroc(_ model: some AnomalyDetector, on subset: Subset) throws -> Double {
        let scores = try subset.test.map { try Double(model.score(image: $0).score) }
        return try BinaryRanking(scores: scores, labels: subset.labels).auroc()
    }

    static func context(_ subset: Subset, layers: [String]) throws -> FitContext {
        let setup = DetectorSetup(layers: layers, preprocessing: Preprocessing(imageSize: size))
        return FitContext(images: InMemoryImages(subset.train), setup: setup, backbone: try Backbones.load(setup.backbone))
    }

    /// STFPM, 10 epochs with its default options: image AUROC at least 0.6 (chance 0.5).
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func stfpmDetectsRealDefects() throws {
        let subset = try Self.subset()
        var options = STFPM.Options()
        options.epochs = 10
        let model = try STFPM.fit(try Self.context(subset, layers: STFPM.defaultLayers), options: options)
        let auroc = try Self.auroc(model, on: subset)
        print("STFPM on the MTD subset: image AUROC \(auroc), losses \(model.trainingRecord?.losses ?? [])")
        #expect(auroc >= 0.6)
    }

    /// The Mahalanobis detector with its default options: image AUROC at least 0.6 (chance 0.5).
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func mahalanobisDetectsRealDefects() throws {
        let subset = try Self.subset()
        let model = try Mahalanobis.fit(try Self.context(subset, layers: Mahalanobis.defaultLayers), options: Mahalanobis.Options())
        let auroc = try Self.auroc(model, on: subset)
        print("Mahalanobis on the MTD subset: image AUROC \(auroc), epsilon \(model.epsilon)")
        #expect(auroc >= 0.6)
    }
}
