import Foundation
import XADImage
import XADTensor

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
/// then the tensors' bytes, row-major and little-endian.
///
/// Reading maps the file into memory; Float32 tensors whose data is 4-byte aligned are used in
/// place (zero copy), others are converted to Float32. Writing stores Float32 with an 8-byte
/// aligned data section, through a temporary file that is renamed when complete.
///
/// ```swift
/// try Safetensors.write(weights, to: URL(fileURLWithPath: "model.safetensors"))
/// let again = try Safetensors.read(URL(fileURLWithPath: "model.safetensors"))
/// ```
public enum Safetensors {
    /// Reads every tensor of a safetensors file, in the order of their data in the file.
    /// - Throws: ``WeightError`` naming the file and the problem.
    public static func read(_ url: URL) throws -> NamedWeights {
        try read(try MappedFile(path: url.path))
    }

    static func read(_ file: MappedFile) throws -> NamedWeights {
        var reader = ByteReader(file.bytes, file: file.path, context: "the safetensors header")
        let headerLength = try reader.integer(UInt64.self)
        // The reference implementation's own bound (100 MB by default): a larger header is hostile.
        let limits = ReadingLimits.current
        guard headerLength <= UInt64(limits.maxHeaderBytes) else {
            throw WeightError(.malformed, file.path, "the header claims \(headerLength) bytes \(limits.advice("maxHeaderBytes"))")
        }
        let header = try reader.take(Int(headerLength))
        let dataStart = reader.position
        let data = UnsafeRawBufferPointer(rebasing: file.bytes[dataStart...])
        guard let json = try? JSONSerialization.jsonObject(with: Data(header)), let fields = json as? [String: Any] else {
            throw WeightError(.malformed, file.path, "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var placed: [(begin: Int, entry: WeightEntry)] = []
        for (name, field) in fields {
            if name == "__metadata__" {
                guard let strings = field as? [String: String] else {
                    throw WeightError(.malformed, file.path, "__metadata__ must map strings to strings")
                }
                metadata = strings
                continue
            }
            let (begin, entry) = try tensor(named: name, field, data: data, file: file)
            placed.append((begin, entry))
        }
        placed.sort { ($0.begin, $0.entry.name) < ($1.begin, $1.entry.name) }
        return try NamedWeights(placed.map(\.entry), metadata: metadata, source: file.path)
    }

    /// One header entry, checked against the data section, and its data offset.
    private static func tensor(named name: String, _ field: Any, data: UnsafeRawBufferPointer,
                               file: MappedFile) throws -> (Int, WeightEntry) {
        func bad(_ problem: String) -> WeightError {
            WeightError(.malformed, file.path, "tensor '\(name)': \(problem)")
        }
        guard let field = field as? [String: Any], let dtypeName = field["dtype"] as? String,
              let shape = field["shape"] as? [Int], let offsets = field["data_offsets"] as? [Int], offsets.count == 2 else {
            throw bad("the header entry needs dtype, shape and data_offsets [begin, end]")
        }
        guard let dtype = WeightDType(rawValue: dtypeName) else {
            throw WeightError(.unsupported, file.path, "tensor '\(name)': the dtype \(dtypeName) is not supported")
        }
        guard let count = WeightDecoding.elementCount(shape),
              !count.multipliedReportingOverflow(by: dtype.byteCount).overflow else {
            throw bad("the shape \(shape) is invalid")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end - begin == count * dtype.byteCount else {
            throw bad("data_offsets [\(begin), \(end)] do not hold \(count) \(dtype.rawValue) elements of shape \(shape)")
        }
        guard end <= data.count else {
            throw WeightError(.truncated, file.path,
                              "tensor '\(name)' ends at data byte \(end), but the data section has only \(data.count) bytes")
        }
        let bytes = UnsafeRawBufferPointer(rebasing: data[begin..<end])
        let tensor = WeightDecoding.tensor(from: bytes, dtype: dtype, offset: 0, shape: shape,
                                           strides: ElementwiseCopy.rowMajorStrides(shape), owner: file)
        return (begin, WeightEntry(name: name, storedType: dtype, tensor: tensor))
    }

    /// Writes `weights` as Float32 tensors in their order, with optional string metadata.
    ///
    /// The bytes go to a temporary file beside `url`, which is renamed over `url` only when
    /// complete, so a failed write never leaves a half-written file behind.
    /// - Throws: ``WeightError`` (`.writeFailed`) naming the file.
    public static func write(_ weights: NamedWeights, metadata: [String: String] = [:], to url: URL) throws {
        if let reserved = weights.names.first(where: { $0 == "__metadata__" || $0.isEmpty }) {
            throw WeightError(.writeFailed, url.path, "'\(reserved)' cannot be a tensor name")
        }
        var header = try headerJSON(weights, metadata: metadata)
        // Pad with spaces (valid JSON) so the data section starts at a multiple of 8 bytes.
        header += [UInt8](repeating: 0x20, count: (8 - (8 + header.count) % 8) % 8)
        var length = UInt64(header.count).littleEndian
        let prefix = Data(bytes: &length, count: 8) + Data(header)
        do {
            try AtomicFile.write(to: url) { handle in
                try handle.write(contentsOf: prefix)
                for entry in weights {
                    try entry.tensor.withUnsafeBufferPointer { try handle.write(contentsOf: UnsafeRawBufferPointer($0)) }
                }
            }
        } catch let error as FileWriteError {
            throw WeightError(.writeFailed, url.path, error.problem)
        }
    }

    /// `{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...}`
    /// with the keys in the weights' order (JSONSerialization would not keep it).
    private static func headerJSON(_ weights: NamedWeights, metadata: [String: String]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func quoted(_ text: String) throws -> String { String(decoding: try encoder.encode(text), as: UTF8.self) }
        var fields: [String] = []
        if !metadata.isEmpty {
            fields.append("\"__metadata__\":" + String(decoding: try encoder.encode(metadata), as: UTF8.self))
        }
        var offset = 0
        for entry in weights {
            let end = offset + entry.tensor.count * MemoryLayout<Float>.size
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(try quoted(entry.name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }
}
