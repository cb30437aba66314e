import Foundation
import XADBench
import XADData
import XADDetect
import XADImage
import XADTensor
import XADTestSupport

/// A small synthetic data set (10 normal, 4 anomalous 64 x 64 images in two defect classes) and
/// a PaDiM model fitted on it once for all report tests (two layers, 20 channels: seconds).
struct ReportFixture: Sendable {
    let data: SyntheticDataset
    let dataset: Dataset
    let model: SavedModel
    let evaluation: Evaluation

    static let shared: Result<ReportFixture, any Error> = Result {
        let data = try SyntheticDataset()
        let dataset = try DatasetFormats.load(data.root, format: "folder")
        let fitted = try ModelFitting(detector: "padim", layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)),
                                      options: OptionOverrides(["channels": .number(20)])).fit(on: dataset.train)
        let evaluation = try Evaluator().evaluation(of: fitted.model, on: dataset)
        return ReportFixture(data: data, dataset: dataset, model: fitted.model, evaluation: evaluation)
    }

    /// A fresh path in the temporary folder (not created).
    static func temporaryFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-report-\(UUID().uuidString)-\(name)", isDirectory: true)
    }
}
