import Foundation
import Testing
import XADData
import XADDetect
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// Fits on MTD protocol v1 and evaluates, as users do; asserts the accuracy recorded in the
/// detectors' READMEs (anomalib 2.7 on the same protocol: PaDiM image AUROC 0.892, pixel AUROC
/// 0.738, AUPRO 0.653; ours must be within 1 point or better).
@Suite("Detectors on MTD protocol v1", .serialized)
struct MTDIntegrationTests {
    struct Evaluation {
        var imageAUROC: Double, pixelAUROC: Double, aupro: Double
    }

    static func evaluate<D: AnomalyDetector>(_ detector: D, on dataset: Dataset) throws -> Evaluation {
        var scores: [Float] = [], labels: [Bool] = [], maps: [ScoreMap] = [], masks: [DefectMask] = []
        for reference in dataset.test {
            let sample = try reference.load()
            let result = try detector.score(image: sample.image)
            scores.append(result.score)
            labels.append(reference.label.isAnomalous)
            let (height, width) = (sample.size.height, sample.size.width)
            maps.append(try ScoreMap(height: height, width: width, scores: result.map.scalars, name: reference.name))
            masks.append(try DefectMask(height: height, width: width, values: sample.mask.scalars, name: reference.name))
        }
        let pixels = try PixelMetrics(maps: maps, masks: masks)
        return Evaluation(imageAUROC: try auroc(scores: scores, labels: labels),
                          pixelAUROC: try pixels.auroc(), aupro: try pixels.aupro())
    }

    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func padimMatchesAnomalib() throws {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let backbone = try EfficientNetLite.pretrained(.lite0)
        let model = try PaDiM.fit(on: DatasetImages(dataset.train), setup: DetectorSetup(layers: PaDiM.defaultLayers),
                                  options: PaDiM.Options(), backbone: backbone, progress: nil)
        let result = try Self.evaluate(model, on: dataset)
        print("PaDiM on MTD v1: image AUROC \(result.imageAUROC), pixel AUROC \(result.pixelAUROC), AUPRO \(result.aupro)")
        #expect(result.imageAUROC >= 0.882)
        #expect(result.pixelAUROC >= 0.728)
        #expect(result.aupro >= 0.643)
    }
}
