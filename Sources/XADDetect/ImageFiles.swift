import Foundation
import XADData
import XADTensor

/// Image files as an ``ImageSource``, decoded on demand (alpha dropped): a saved model's training
/// images, found again by the paths it recorded.
public struct ImageFiles: ImageSource {
    /// The files, in order.
    public let paths: [String]

    public init(paths: [String]) { self.paths = paths }

    public var count: Int { paths.count }

    /// The image at `index`.
    /// - Throws: ``DetectorError/modelFile(path:problem:)`` naming the file when it has gone since
    ///   the model was fitted; the decoder's error (naming the file) when it cannot be read.
    public func image(at index: Int) throws -> Tensor {
        guard paths.indices.contains(index) else {
            throw DetectorError.invalidInput("training image \(index) asked for, but the model records \(paths.count)")
        }
        let path = paths[index]
        guard FileManager.default.fileExists(atPath: path) else {
            throw DetectorError.modelFile(path: path, problem: "training image \(index) of the model is no longer there (moved or deleted since fitting)")
        }
        return try SampleReference(image: URL(fileURLWithPath: path), label: .normal, category: "good").load().image
    }
}
