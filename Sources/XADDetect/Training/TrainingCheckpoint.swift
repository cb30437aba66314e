import Foundation
import XADModels
import XADTensor

/// Where a training run stood after an epoch: the model's tensors, the optimiser's moments, and
/// a JSON record of the epoch, losses, seed and early-stopping state. Enough to continue exactly.
///
/// Written each epoch as one safetensors file (`checkpoint.safetensors` in the run's checkpoint
/// folder; tensors `model/<name>`, `optimiser/<name>/<slot>` and, with early stopping, the best
/// epoch's `best/<name>`; the record in the header's
/// metadata under `xadkit-checkpoint`), to a temporary file renamed over the last one: a run that
/// fails mid-epoch leaves the last good checkpoint intact.
///
/// The random state needs no snapshot: each epoch draws from a generator seeded by the run's
/// seed and the epoch's number (``TrainingLoop/generator(seed:epoch:)``), so seed and epoch are
/// the whole of it.
public struct TrainingCheckpoint: Sendable {
    /// The file a checkpoint folder holds.
    public static let fileName = "checkpoint.safetensors"
    /// The checkpoint format this XADKit writes and reads.
    public static let formatVersion = 1
    static let metadataKey = "xadkit-checkpoint"

    /// The JSON part of a checkpoint.
    public struct Record: Codable, Sendable, Equatable {
        public var format: Int
        /// The detector being trained (its registry name).
        public var detector: String
        /// Epochs completed.
        public var epoch: Int
        public var seed: UInt64
        public var losses: [Double]
        public var validationLosses: [Double]
        /// Training seconds so far, over every session.
        public var seconds: Double
        /// The lowest validation loss so far, and how many epochs since it fell.
        public var bestValidationLoss: Double?
        public var epochsWithoutImprovement: Int
        /// The optimiser's steps per parameter.
        public var optimiserSteps: [String: Int]
        /// The plan of the run that wrote the checkpoint.
        public var plan: TrainingPlan
        /// The epoch of the lowest validation loss, whose weights ``TrainingCheckpoint/bestModel``
        /// holds (early stopping only).
        public var bestEpoch: Int?
    }

    public var record: Record
    /// The model's parameters and buffers by name.
    public var model: [String: Tensor]
    /// The optimiser's state tensors (`OptimiserState.tensors`).
    public var optimiserTensors: [String: Tensor]
    /// The weights of the best epoch so far (empty unless early stopping is on).
    public var bestModel: [String: Tensor] = [:]

    public var optimiserState: OptimiserState {
        OptimiserState(tensors: optimiserTensors, steps: record.optimiserSteps)
    }

    /// The checkpoint file of `folder`.
    public static func url(in folder: String) -> URL {
        URL(fileURLWithPath: folder).appendingPathComponent(fileName)
    }

    /// Writes the checkpoint to `folder` (created if needed), replacing the previous one atomically.
    public func write(to folder: String) throws {
        let url = Self.url(in: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
            let entries = model.map { ("model/\($0.key)", $0.value) } + optimiserTensors.map { ("optimiser/\($0.key)", $0.value) }
                + bestModel.map { ("best/\($0.key)", $0.value) }
            let weights = try NamedWeights(entries.sorted { $0.0 < $1.0 }.map { WeightEntry(name: $0.0, tensor: $0.1) },
                                           source: url.path)
            try Safetensors.write(weights, metadata: [Self.metadataKey: json], to: url)
        } catch {
            throw DetectorError.modelFile(path: url.path, problem: "cannot write the training checkpoint: \(error)")
        }
    }

    /// Reads the checkpoint of `folder`.
    /// - Throws: ``DetectorError/missingRequirement(_:)`` when there is none (resuming needs one),
    ///   ``DetectorError/modelFile(path:problem:)`` for a file that is not a readable checkpoint.
    public static func read(from folder: String) throws -> TrainingCheckpoint {
        let url = url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DetectorError.missingRequirement("cannot resume: \(folder) holds no training checkpoint (\(fileName)); train without resume first")
        }
        let weights: NamedWeights
        do { weights = try Safetensors.read(url) } catch {
            throw DetectorError.modelFile(path: url.path, problem: "not a readable training checkpoint (\(error))")
        }
        guard let json = weights.metadata[metadataKey],
              let record = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)) else {
            throw DetectorError.modelFile(path: url.path, problem: "a safetensors file without XADKit's checkpoint record: not a training checkpoint")
        }
        guard record.format == formatVersion else {
            throw DetectorError.modelFile(path: url.path, problem: "checkpoint format \(record.format); this XADKit reads format \(formatVersion)")
        }
        var model: [String: Tensor] = [:], optimiser: [String: Tensor] = [:], best: [String: Tensor] = [:]
        for entry in weights {
            if entry.name.hasPrefix("model/") { model[String(entry.name.dropFirst(6))] = entry.tensor }
            else if entry.name.hasPrefix("optimiser/") { optimiser[String(entry.name.dropFirst(10))] = entry.tensor }
            else if entry.name.hasPrefix("best/") { best[String(entry.name.dropFirst(5))] = entry.tensor }
        }
        return TrainingCheckpoint(record: record, model: model, optimiserTensors: optimiser, bestModel: best)
    }

    /// The checkpoint's model loaded into `model`, after checking that it was written for
    /// `detector` and for a model of the same names and shapes.
    /// - Throws: ``DetectorError/modelFile(path:problem:)`` naming what does not fit.
    func restoring<Model: TrainableModel>(into model: Model, detector: String, folder: String) throws -> Model {
        let path = Self.url(in: folder).path
        guard record.detector == detector else {
            throw DetectorError.modelFile(path: path, problem:
                "a checkpoint of the detector '\(record.detector)', not '\(detector)': resume with the detector that wrote it, or use another checkpoint folder")
        }
        var restored = model
        do { try restored.load(self.model) } catch {
            throw DetectorError.modelFile(path: path, problem:
                "the checkpoint's model has another shape than this run's (other options or image size?): \(error)")
        }
        return restored
    }
}
