import Foundation
import XADTensor

/// One tensor of a weight file: its name, the element type the file stored it in, and its
/// values as Float32.
public struct WeightEntry: Sendable {
    /// The key in the file, e.g. `_blocks.0._bn1.running_mean`.
    public let name: String
    /// The stored element type (integers and half precision are converted to Float32 in `tensor`).
    public let storedType: WeightDType
    /// The values, row-major.
    public let tensor: Tensor

    /// An entry for `tensor`, stored as `storedType` (Float32 for tensors made in memory).
    public init(name: String, storedType: WeightDType = .float32, tensor: Tensor) {
        self.name = name
        self.storedType = storedType
        self.tensor = tensor
    }

    /// The tensor's shape.
    public var shape: [Int] { tensor.shape }

    /// True for batch-norm statistics, which a state dict holds beside the learned parameters
    /// (`running_mean`, `running_var`, `num_batches_tracked`).
    public var isBuffer: Bool {
        ["running_mean", "running_var", "num_batches_tracked"].contains(name.split(separator: ".").last ?? "")
    }
}

/// The tensors of a weight file, in the file's order, looked up by name.
///
/// ```swift
/// let weights = try NamedWeights(contentsOf: URL(fileURLWithPath: "efficientnet-lite0-57934424.pth"))
/// let stem = try weights.tensor("_conv_stem.weight")     // shape [32, 3, 3, 3]
/// print(weights.count, weights.parameterCount)           // 296 tensors
/// ```
public struct NamedWeights: Sendable, RandomAccessCollection {
    /// The entries in file order.
    public let entries: [WeightEntry]
    /// Free-form string metadata (safetensors `__metadata__`); empty for PyTorch checkpoints.
    public let metadata: [String: String]
    /// The file the weights came from, for error messages (empty when built in memory).
    public let source: String
    private let indexByName: [String: Int]

    /// Weights from entries whose names are unique.
    /// - Throws: ``WeightError`` (`.malformed`) naming a repeated tensor name.
    public init(_ entries: [WeightEntry], metadata: [String: String] = [:], source: String = "") throws {
        var indexByName: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            guard indexByName.updateValue(index, forKey: entry.name) == nil else {
                throw WeightError(.malformed, source, "the tensor name '\(entry.name)' appears twice")
            }
        }
        self.entries = entries
        self.metadata = metadata
        self.source = source
        self.indexByName = indexByName
    }

    /// Reads a safetensors file or a PyTorch checkpoint (zip or legacy format), whichever the
    /// file's first bytes say it is. Nothing in the file is executed.
    /// - Throws: ``WeightError`` naming the file and the problem.
    public init(contentsOf url: URL) throws {
        let file = try MappedFile(path: url.path)
        switch try WeightFileFormat(detecting: file) {
        case .safetensors: self = try Safetensors.read(file)
        case .pytorchZip, .pytorchLegacy: self = try TorchCheckpoint.read(file)
        }
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> WeightEntry { entries[position] }

    /// The tensor called `name`, or `nil`.
    public subscript(name: String) -> Tensor? { indexByName[name].map { entries[$0].tensor } }

    /// The entry called `name`, or `nil`.
    public func entry(_ name: String) -> WeightEntry? { indexByName[name].map { entries[$0] } }

    /// The tensor called `name`.
    /// - Throws: ``WeightError`` (`.notFound`) naming the file and the tensor.
    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = self[name] else {
            throw WeightError(.notFound, source, "has no tensor named '\(name)' (it holds \(count) tensors)")
        }
        return tensor
    }

    /// The tensor names in file order.
    public var names: [String] { entries.map(\.name) }

    /// Elements in all tensors.
    public var elementCount: Int { entries.reduce(0) { $0 + $1.tensor.count } }

    /// Elements in all tensors except batch-norm statistics (see ``WeightEntry/isBuffer``): the
    /// number PyTorch's `sum(p.numel() for p in model.parameters())` reports.
    public var parameterCount: Int { entries.reduce(0) { $0 + ($1.isBuffer ? 0 : $1.tensor.count) } }
}

/// The weight file formats XADModels reads.
public enum WeightFileFormat: String, Sendable, CaseIterable {
    /// Hugging Face safetensors: a JSON header, then raw little-endian tensors.
    case safetensors
    /// `torch.save` since PyTorch 1.6: a zip archive with `data.pkl` and one entry per storage.
    case pytorchZip = "PyTorch zip"
    /// `torch.save(_use_new_zipfile_serialization=False)`: pickles followed by raw storages.
    case pytorchLegacy = "PyTorch legacy"

    /// The format of the file at `url`, from its first bytes.
    /// - Throws: ``WeightError`` when the file cannot be read or is none of these formats.
    public init(contentsOf url: URL) throws {
        try self.init(detecting: try MappedFile(path: url.path))
    }

    init(detecting file: MappedFile) throws {
        let bytes = file.bytes
        if bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]) {
            self = .pytorchZip
        } else if bytes.starts(with: [0x80, 0x02]) {
            self = .pytorchLegacy
        } else if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") {
            self = .safetensors
        } else {
            throw WeightError(.malformed, file.path,
                              "not a safetensors file or a PyTorch checkpoint (it starts with bytes "
                              + bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ") + ")")
        }
    }
}
