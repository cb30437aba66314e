import Foundation
import XADImage
import XADTensor

/// Reads PyTorch state dicts saved by `torch.save`, in both of its formats, without running the
/// pickle inside (see `Unpickler`):
///
/// - zip (PyTorch >= 1.6): `<archive>/data.pkl` plus one stored entry `<archive>/data/<key>` per storage;
/// - legacy: pickles in a row (magic number, protocol 1001, system info, the state dict, the
///   storage keys), then each storage as an int64 element count and its raw little-endian data.
///
/// Tensors are rebuilt as `torch._utils._rebuild_tensor_v2` would, honouring their storage offset
/// and strides (the EfficientNet-Lite checkpoints store conv weights with strides such as
/// (1, 32, 288, 96)) and gathered into row-major Float32. A tensor that reaches outside its
/// storage is an error naming the tensor.
///
/// ```swift
/// let weights = try TorchCheckpoint.read(URL(fileURLWithPath: "efficientnet-lite0-57934424.pth"))
/// weights["_conv_stem.weight"]?.shape   // [32, 3, 3, 3]
/// ```
public enum TorchCheckpoint {
    /// Reads every tensor of a checkpoint's state dict, in the dict's order.
    /// - Throws: ``WeightError`` naming the file and the problem.
    public static func read(_ url: URL) throws -> NamedWeights {
        try read(try MappedFile(path: url.path))
    }

    static func read(_ file: MappedFile) throws -> NamedWeights {
        switch try WeightFileFormat(detecting: file) {
        case .pytorchZip: try readZip(file)
        case .pytorchLegacy: try readLegacy(file)
        case .safetensors: throw WeightError(.malformed, file.path, "a safetensors file, not a PyTorch checkpoint")
        }
    }

    /// `0x1950a86a20f9469cfc6c`, little-endian: the first pickle of a legacy checkpoint.
    private static let legacyMagic: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    private static func readLegacy(_ file: MappedFile) throws -> NamedWeights {
        var reader = ByteReader(file.bytes, file: file.path, context: "the checkpoint")
        guard case .bigInt(legacyMagic) = try Unpickler.load(from: &reader) else {
            throw WeightError(.malformed, file.path, "a pickle without PyTorch's magic number, so not a checkpoint")
        }
        let version = try Unpickler.load(from: &reader)
        guard version.int == 1001 else {
            throw WeightError(.unsupported, file.path, "legacy checkpoint protocol \(version.int.map(String.init) ?? version.kindName), expected 1001")
        }
        if case .dict(let systemInfo) = try Unpickler.load(from: &reader),
           case .bool(false)? = systemInfo.entries.first(where: { $0.key.string == "little_endian" })?.value {
            throw WeightError(.unsupported, file.path, "the checkpoint was saved on a big-endian machine")
        }
        let table = StorageTable(file: file.path)
        let root = try Unpickler.load(from: &reader, persistentLoad: table.resolve)
        let keys = try Unpickler.load(from: &reader)
        guard let keyList = keys.items?.compactMap(\.string), keyList.count == keys.items?.count else {
            throw WeightError(.malformed, file.path, "the storage key list is \(keys.kindName), not a list of strings")
        }
        var storages: [String: UnsafeRawBufferPointer] = [:]
        for key in keyList {
            guard let storage = table.storages[key] else {
                throw WeightError(.malformed, file.path, "storage '\(key)' is listed but no tensor uses it")
            }
            let count = try reader.integer(Int64.self)
            guard count == storage.count else {
                throw WeightError(.malformed, file.path, "storage '\(key)' holds \(count) elements, its tensors expect \(storage.count)")
            }
            storages[key] = try reader.take(storage.count * storage.dtype.byteCount)
        }
        return try weights(root, storages: storages, file: file)
    }

    private static func readZip(_ file: MappedFile) throws -> NamedWeights {
        let archive = try ZipArchive(file)
        guard let pickle = archive.entries.first(where: { $0.name.hasSuffix("/data.pkl") || $0.name == "data.pkl" }) else {
            throw WeightError(.malformed, file.path, "a zip file without data.pkl, so not a PyTorch checkpoint")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(prefix + "byteorder"), String(decoding: try archive.data(of: order), as: UTF8.self) == "big" {
            throw WeightError(.unsupported, file.path, "the checkpoint was saved on a big-endian machine")
        }
        let table = StorageTable(file: file.path)
        var reader = ByteReader(try archive.data(of: pickle), file: file.path, context: "the zip entry \(pickle.name)")
        let root = try Unpickler.load(from: &reader, persistentLoad: table.resolve)
        var storages: [String: UnsafeRawBufferPointer] = [:]
        for (key, storage) in table.storages {
            let name = prefix + "data/" + key
            guard let entry = archive.entry(name) else {
                throw WeightError(.malformed, file.path, "the storage entry \(name) is missing")
            }
            let bytes = try archive.data(of: entry), needed = storage.count * storage.dtype.byteCount
            guard bytes.count >= needed else {
                throw WeightError(.truncated, file.path, "the storage entry \(name) has \(bytes.count) bytes, \(needed) expected")
            }
            storages[key] = UnsafeRawBufferPointer(rebasing: bytes[..<needed])
        }
        return try weights(root, storages: storages, file: file)
    }

    /// Materialises the state dict's tensors from their storages.
    private static func weights(_ root: PickleValue, storages: [String: UnsafeRawBufferPointer],
                                file: MappedFile) throws -> NamedWeights {
        let entries = try stateDict(root, file: file.path).map { name, reference in
            let storage = reference.storage
            guard let bytes = storages[storage.key] else {
                throw WeightError(.malformed, file.path, "tensor '\(name)': its storage '\(storage.key)' is not in the file")
            }
            try checkRange(name, reference, file: file.path)
            let tensor = WeightDecoding.tensor(from: bytes, dtype: storage.dtype, offset: reference.offset,
                                               shape: reference.shape, strides: reference.strides, owner: file)
            return WeightEntry(name: name, storedType: storage.dtype, tensor: tensor)
        }
        return try NamedWeights(entries, source: file.path)
    }

    /// Checks that a tensor's elements all lie inside its storage.
    private static func checkRange(_ name: String, _ reference: TensorReference, file: String) throws {
        let (shape, strides, offset) = (reference.shape, reference.strides, reference.offset)
        let storage = reference.storage
        guard let needed = WeightDecoding.requiredElements(offset: offset, shape: shape, strides: strides) else {
            throw WeightError(.malformed, file, "tensor '\(name)' has an invalid layout: shape \(shape), strides \(strides), storage offset \(offset)")
        }
        guard needed <= storage.count else {
            if offset >= storage.count {
                throw WeightError(.outOfRange, file,
                                  "tensor '\(name)': storage offset \(offset) is out of range of storage '\(storage.key)', which holds \(storage.count) elements")
            }
            throw WeightError(.outOfRange, file,
                              "tensor '\(name)': shape \(shape) with strides \(strides) from storage offset \(offset) needs \(needed) elements, but storage '\(storage.key)' holds only \(storage.count)")
        }
    }

    /// The (name, tensor) pairs of a state dict: the top-level dict's tensors, or those of its
    /// `state_dict` or `model` entry (training checkpoints wrap the state dict so).
    private static func stateDict(_ root: PickleValue, file: String) throws -> [(String, TensorReference)] {
        guard case .dict(let dict) = root else {
            throw WeightError(.malformed, file, "the checkpoint holds \(root.kindName), not a state dict")
        }
        func tensors(_ dict: PickleDict) -> [(String, TensorReference)] {
            dict.entries.compactMap { key, value in
                guard let name = key.string, case .tensor(let reference) = value else { return nil }
                return (name, reference)
            }
        }
        let wrapped = ["state_dict", "model"].lazy.compactMap { wrapper -> PickleDict? in
            guard case .dict(let inner)? = dict.entries.first(where: { $0.key.string == wrapper })?.value else { return nil }
            return inner
        }.first
        let found = tensors(dict).isEmpty ? wrapped.map(tensors) ?? [] : tensors(dict)
        guard !found.isEmpty else { throw WeightError(.malformed, file, "the checkpoint's dict holds no tensors") }
        return found
    }
}

/// The storages a checkpoint's pickle names through persistent ids
/// `('storage', torch.FloatStorage, key, location, count[, view])`.
private final class StorageTable {
    let file: String
    private(set) var storages: [String: StorageReference] = [:]

    init(file: String) { self.file = file }

    func resolve(_ pid: PickleValue) throws -> PickleValue {
        guard let items = pid.items, items.count == 5 || items.count == 6, items[0].string == "storage",
              case .global("torch", let typeName) = items[1], let dtype = WeightDType(torchStorage: typeName),
              let key = items[2].string ?? items[2].int.map(String.init), let count = items[4].int, count >= 0,
              !count.multipliedReportingOverflow(by: dtype.byteCount).overflow else {
            throw WeightError(.malformed, file, "the pickle has a persistent id that is not a PyTorch storage")
        }
        if items.count == 6, case .none = items[5] {} else if items.count == 6 {
            throw WeightError(.unsupported, file, "storage '\(key)' is a storage view (PyTorch < 0.4 checkpoints)")
        }
        let storage = StorageReference(key: key, dtype: dtype, count: count)
        if let known = storages[key], known != storage {
            throw WeightError(.malformed, file, "storage '\(key)' is named with two different types or sizes")
        }
        storages[key] = storage
        return .storage(storage)
    }
}
