import Foundation
import XADImage
import XADMetrics
import XADModels
import XADTensor

/// A fitted detector in one file: its tensors as safetensors, and beside them (in the header's
/// metadata, key `xadkit`) a JSON record of the detector, its options, backbone, preprocessing,
/// threshold, score normalisation, the XADKit version and a checksum of the record and tensors.
///
/// Written to a temporary file and renamed, so a failed save leaves nothing half-written.
/// Loading checks the format version and the checksum and explains any mismatch.
///
/// ```swift
/// try SavedModel(detector: model).write(to: URL(fileURLWithPath: "model.xadm"))
/// let restored = try SavedModel.load(URL(fileURLWithPath: "model.xadm"))
/// let result = try restored.detector.score(image: image)
/// ```
public struct SavedModel: Sendable {
    /// The file format this XADKit writes and reads.
    public static let formatVersion = 1
    /// The XADKit version recorded in saved models.
    public static let xadkitVersion = "0.1.0"

    /// The fitted detector.
    public let detector: any AnomalyDetector
    /// The decision threshold on raw scores, when one was chosen.
    public var threshold: Float?
    /// Maps raw scores to 0...1, fitted on validation scores, when available.
    public var normalisation: MinMaxNormaliser?
    /// The files of the images the detector was fitted on, in fitting order (absolute paths), when
    /// known: ``PatchLocation/image`` indexes them. Models saved before this was recorded have none.
    public var trainingImagePaths: [String]?
    /// How a trained detector was trained (epochs, losses, time, seed); nil for frozen-feature methods.
    public var training: TrainingRecord?

    /// A model of `detector`; its training record is taken from the detector unless given.
    public init(detector: any AnomalyDetector, threshold: Float? = nil, normalisation: MinMaxNormaliser? = nil,
                trainingImagePaths: [String]? = nil, training: TrainingRecord? = nil) {
        self.detector = detector
        self.threshold = threshold
        self.normalisation = normalisation
        self.trainingImagePaths = trainingImagePaths
        self.training = training ?? detector.trainingRecord
    }

    /// The images the detector was fitted on, decoded on demand from ``trainingImagePaths`` (for
    /// healing, nearest-normal exemplars and baselines); nil when the model does not record them.
    public var trainingImages: (any ImageSource)? { trainingImagePaths.map { ImageFiles(paths: $0) } }

    /// The record stored beside the tensors.
    struct Record: Codable {
        var format: Int
        var xadkitVersion: String
        var detector: String
        var options: String
        var setup: DetectorSetup
        var threshold: Float?
        var normalisation: MinMaxNormaliser?
        /// Absent in files written before training images were recorded (they still load).
        var trainingImages: [String]?
        /// Absent for frozen-feature detectors and in files written before training existed.
        var training: TrainingRecord?
        var checksum: String
    }

    /// Writes the model to `url` atomically.
    public func write(to url: URL) throws {
        let tensors = detector.fittedTensors
        let options = String(decoding: try JSONEncoder().encode(AnyOptions(detector)), as: UTF8.self)
        var record = Record(format: Self.formatVersion, xadkitVersion: Self.xadkitVersion, detector: type(of: detector).name,
                            options: options, setup: detector.setup, threshold: threshold,
                            normalisation: normalisation, trainingImages: trainingImagePaths, training: training,
                            checksum: "")
        record.checksum = try Self.checksum(tensors, record: record)
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let entries = tensors.sorted { $0.key < $1.key }.map { WeightEntry(name: $0.key, tensor: $0.value) }
        try Safetensors.write(try NamedWeights(entries, source: url.path), metadata: ["xadkit": json], to: url)
    }

    /// Reads a model written by ``write(to:)``, rebuilding its backbone from the installed
    /// weights (or `weightsPath`).
    /// - Throws: ``DetectorError/modelFile(path:problem:)`` for a truncated or foreign file, another
    ///   format version, a checksum mismatch, or tensors that do not fit the detector or backbone.
    public static func load(_ url: URL, weightsPath: String? = nil) throws -> SavedModel {
        let weights: NamedWeights
        do { weights = try Safetensors.read(url) } catch {
            throw DetectorError.modelFile(path: url.path, problem: "not a readable XADKit model (\(error))")
        }
        guard let json = weights.metadata["xadkit"],
              let record = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)) else {
            throw DetectorError.modelFile(path: url.path, problem: "a safetensors file without XADKit's model record: not a saved model")
        }
        guard record.format == formatVersion else {
            throw DetectorError.modelFile(path: url.path, problem:
                "saved in model format \(record.format) by XADKit \(record.xadkitVersion); this XADKit \(xadkitVersion) reads format \(formatVersion): fit the model again")
        }
        try checkLimits(record.setup.preprocessing, url: url)
        let tensors = Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        guard try checksum(tensors, record: record) == record.checksum else {
            throw DetectorError.modelFile(path: url.path, problem: "checksum mismatch: the file was changed or damaged after it was saved")
        }
        guard let type = try? Detectors.named(record.detector) else {
            throw DetectorError.modelFile(path: url.path, problem:
                "fitted with the detector '\(record.detector)', which this XADKit does not have (known: \(Detectors.names.joined(separator: ", ")))")
        }
        let backbone = record.setup.backbone == DetectorSetup.noBackbone
            ? nil : try Backbones.load(record.setup.backbone, weightsPath: weightsPath)
        do {
            let detector = try restore(type, tensors: tensors, record: record, backbone: backbone)
            return SavedModel(detector: detector, threshold: record.threshold, normalisation: record.normalisation,
                              trainingImagePaths: record.trainingImages, training: record.training)
        } catch {
            throw DetectorError.modelFile(path: url.path, problem: "\(error) (was it fitted with another backbone?)")
        }
    }

    /// Refuses a record whose input size asks for more pixels per image than ``ReadingLimits``
    /// allow (scoring would allocate feature maps for it), before anything is restored.
    private static func checkLimits(_ preprocessing: Preprocessing, url: URL) throws {
        let limits = ReadingLimits.current
        for size in [preprocessing.imageSize] + (preprocessing.centerCrop.map { [$0] } ?? []) {
            guard size.height > 0, size.width > 0, let pixels = ReadingLimits.product([size.height, size.width]),
                  pixels <= limits.maxPixels else {
                throw DetectorError.modelFile(path: url.path, problem:
                    "the record's input size \(size.height)x\(size.width) is not a usable image size \(limits.advice("maxPixels"))")
            }
        }
    }

    private static func restore<D: AnomalyDetector>(_ type: D.Type, tensors: [String: Tensor], record: Record,
                                                    backbone: (any Backbone)?) throws -> D {
        let options = try JSONDecoder().decode(D.Options.self, from: Data(record.options.utf8))
        return try D(restoring: tensors, setup: record.setup, options: options, backbone: backbone)
    }

    /// FNV-1a (64 bit) over the record (without its checksum) and the names, shapes and Float32
    /// bits of every tensor, in name order: editing either is detected.
    static func checksum(_ tensors: [String: Tensor], record: Record) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var unsigned = record
        unsigned.checksum = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try encoder.encode(unsigned).forEach(mix)
        for name in tensors.keys.sorted() {
            guard let tensor = tensors[name] else { continue }
            name.utf8.forEach(mix)
            for size in tensor.shape { withUnsafeBytes(of: UInt64(size).littleEndian) { $0.forEach(mix) } }
            tensor.withUnsafeBufferPointer { values in
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { $0.forEach(mix) } }
            }
        }
        return "fnv1a64:" + String(hash, radix: 16)
    }
}

/// Encodes any detector's options through its concrete type.
private struct AnyOptions: Encodable {
    let detector: any AnomalyDetector
    init(_ detector: any AnomalyDetector) { self.detector = detector }
    func encode(to encoder: Encoder) throws { try detector.options.encode(to: encoder) }
}
