import Foundation
import XADContracts
import XADDetect
import XADImage
import XADTensor

/// The model the service tests serve: PatchCore with the real backbone, fitted on the detector
/// contract's six 64 x 64 synthetic images, with its threshold halfway between a normal and an
/// anomalous image's scores; fitted once per test run and saved to a temporary `.xadm`.
struct ServedModel: Sendable {
    let model: SavedModel
    let file: URL
    /// PNG bytes of a normal and an anomalous image (a red square) the model did not see.
    let normalPNG: Data
    let anomalousPNG: Data

    static let shared: Result<ServedModel, any Error> = Result { try ServedModel() }

    private init() throws {
        let detector = try DetectorContract.fitted(PatchCore.self)
        let normal = try DetectorContract.normalImages(count: 1, seed: 7)[0]
        let anomalous = try DetectorContract.anomalousImage()
        normalPNG = try Image(tensor: normal).encoded(as: .png)
        anomalousPNG = try Image(tensor: anomalous).encoded(as: .png)
        let scores = try detector.score(images: [normal, anomalous]).map(\.score)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent("model.xadm")
        try SavedModel(detector: detector, threshold: (scores[0] + scores[1]) / 2).write(to: file)
        model = try SavedModel.load(file)
    }

    /// The library's score of encoded `png`, decoded as `xad predict` decodes files.
    func libraryScore(of png: Data) throws -> AnomalyResult {
        try model.detector.score(image: try Image(data: png, name: "test").toTensor())
    }
}
