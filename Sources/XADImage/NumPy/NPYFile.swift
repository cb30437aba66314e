import Foundation
import XADTensor

/// Reads and writes NumPy `.npy` arrays, so that score maps and masks can come from (and go to)
/// Python tools without any Python at run time.
///
/// Reading accepts format versions 1, 2 and 3, C order, little-endian `float32`, `float64`,
/// `uint8`, `bool`, `int32` and `int64` (converted to `Float` as stored, without scaling; `float64`
/// and large integers are rounded); ``readArray(contentsOf:)`` also says which type was stored.
/// Writing produces version 1, C order, `float32` (or `uint8` from bytes), written to a temporary
/// file and renamed. Reading errors are ``ImageError``s naming the file.
///
/// ```swift
/// let map = try NPYFile.read(contentsOf: URL(fileURLWithPath: "maps/000.npy"))  // e.g. shape [256, 256]
/// try NPYFile.write(map, to: URL(fileURLWithPath: "copy.npy"))
/// ```
public enum NPYFile {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// An element type a `.npy` file can store, as the reader knows it.
    public enum ElementType: String, Sendable, Equatable, CaseIterable {
        case float32, float64, uint8, bool, int32, int64
    }

    /// The array stored in the file at `url`, converted to `Float` as stored.
    public static func read(contentsOf url: URL) throws -> Tensor {
        try readArray(contentsOf: url).tensor
    }

    /// The array stored in the file at `url` and the element type it was stored as, so that a
    /// caller can interpret the values, e.g. a `uint8` mask holding 0 and 255.
    public static func readArray(contentsOf url: URL) throws -> (tensor: Tensor, elementType: ElementType) {
        try readArray(data: mapped(url), name: url.path)
    }

    /// The array stored in `data`, converted to `Float` as stored; `name` labels errors.
    public static func read(data: Data, name: String) throws -> Tensor {
        try readArray(data: data, name: name).tensor
    }

    /// The array stored in `data` and the element type it was stored as; `name` labels errors.
    public static func readArray(data: Data, name: String) throws -> (tensor: Tensor, elementType: ElementType) {
        let (header, dataStart) = try layout(data, name: name)
        let count = header.shape.reduce(1, *)
        let scalars = data.withUnsafeBytes { raw in
            (0..<count).map { header.type.load(raw, dataStart + $0 * header.type.size) }
        }
        do {
            return (try Tensor(shape: header.shape, scalars: scalars), header.type)
        } catch {
            throw ImageError(.invalidArgument, name, "shape \(header.shape) is not a valid tensor shape (\(error))")
        }
    }

    /// The shape and element type of the array in the file at `url`; the data is checked for
    /// length but not converted.
    public static func shape(contentsOf url: URL) throws -> (shape: [Int], elementType: ElementType) {
        let header = try layout(mapped(url), name: url.path).header
        return (header.shape, header.type)
    }

    /// Entry `index` along the first axis of the array in the file at `url` (e.g. one mask of a
    /// `[frames, H, W]` volume, shape `[H, W]`), converted to `Float` as stored; only that part
    /// of the (memory-mapped) file is read.
    public static func readSlice(contentsOf url: URL, index: Int) throws -> Tensor {
        let data = try mapped(url)
        let (header, dataStart) = try layout(data, name: url.path)
        guard let rows = header.shape.first, (0..<rows).contains(index) else {
            throw ImageError(.invalidArgument, url.path, "entry \(index) is outside the first axis of shape \(header.shape)")
        }
        let sliceShape = Array(header.shape.dropFirst()), count = sliceShape.reduce(1, *)
        let start = dataStart + index * count * header.type.size
        let scalars = data.withUnsafeBytes { raw in (0..<count).map { header.type.load(raw, start + $0 * header.type.size) } }
        do {
            return try Tensor(shape: sliceShape, scalars: scalars)
        } catch {
            throw ImageError(.invalidArgument, url.path, "shape \(sliceShape) is not a valid tensor shape (\(error))")
        }
    }

    private static func mapped(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError(.unreadable, url.path, "cannot read the file (\(error.localizedDescription))")
        }
    }

    /// The header of `data` and where its elements start, checked to be exactly as long as the
    /// shape and type need.
    private static func layout(_ data: Data, name: String) throws -> (header: NPYHeader, dataStart: Int) {
        let bytes = [UInt8](data.prefix(12))
        guard !bytes.isEmpty else { throw ImageError(.empty, name, "the file is empty (0 bytes)") }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw ImageError(.unknownFormat, name, "not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw ImageError(.corrupt, name, "the .npy header is truncated") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw ImageError(.unsupported, name, ".npy format version \(major) is not supported (1, 2 or 3)")
        }
        let limits = ReadingLimits.current
        guard headerLength <= limits.maxHeaderBytes else {
            throw ImageError(.invalidSize, name, "the .npy header claims \(headerLength) bytes \(limits.advice("maxHeaderBytes"))")
        }
        guard headerStart + headerLength <= data.count else {
            throw ImageError(.corrupt, name, "the .npy header claims \(headerLength) bytes but the file ends first")
        }
        let headerBytes = data.subdata(in: (data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength))
        let header = try NPYHeader(String(decoding: headerBytes, as: UTF8.self), name: name)
        let dataStart = headerStart + headerLength
        // Checked products: a hostile shape such as (2**40, 2**40) must not trap on overflow.
        guard let count = ReadingLimits.product(header.shape), let floatBytes = ReadingLimits.product([count, 4]),
              floatBytes <= limits.maxArrayBytes, let expected = ReadingLimits.product([count, header.type.size]) else {
            throw ImageError(.invalidSize, name, "the .npy shape \(header.shape) is larger than an array may be "
                             + limits.advice("maxArrayBytes"))
        }
        guard data.count - dataStart == expected else {
            let problem = data.count - dataStart < expected ? "is truncated" : "has extra bytes"
            throw ImageError(.corrupt, name, "the data \(problem): \(data.count - dataStart) bytes for shape \(header.shape) of \(header.type.descr) (want \(expected))")
        }
        return (header, dataStart)
    }

    /// The `.npy` bytes (version 1, little-endian `float32`, C order) of `tensor`.
    public static func encode(_ tensor: Tensor) -> Data {
        var data = header(.float32, shape: tensor.shape)
        tensor.scalars.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// The `.npy` bytes (version 1, `uint8`, C order) of `values` in `shape`, e.g. a mask holding
    /// 0 and 255 as MVTec AD tools and anomalib store them.
    /// - Throws: ``ImageError`` (`.invalidArgument`) when `values` do not fill `shape`.
    public static func encode(_ values: [UInt8], shape: [Int]) throws -> Data {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw ImageError(.invalidArgument, "npy", "\(values.count) values do not fill shape \(shape)")
        }
        return header(.uint8, shape: shape) + Data(values)
    }

    /// Magic, version 1 and the header dictionary, padded with spaces and ended with a newline so
    /// that the data starts at a multiple of 64 bytes.
    private static func header(_ type: ElementType, shape: [Int]) -> Data {
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(type.descr)', 'fortran_order': False, 'shape': \(tuple), }"
        let unpadded = magic.count + 4 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        return Data(magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8))
    }

    /// Writes `tensor` as a float32 `.npy` file: to a temporary file first, then renamed over `url`
    /// (see ``AtomicFile``).
    /// - Throws: ``FileWriteError`` naming the file.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }
}

/// The parsed `.npy` header dictionary, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
private struct NPYHeader {
    let type: NPYFile.ElementType
    let shape: [Int]

    init(_ text: String, name: String) throws {
        func value(of key: String) throws -> Substring {
            guard let keyRange = text.range(of: "'\(key)'"), let colon = text[keyRange.upperBound...].firstIndex(of: ":") else {
                throw ImageError(.corrupt, name, "the .npy header has no '\(key)' entry")
            }
            return text[text.index(after: colon)...].drop { $0 == " " }
        }
        let descrText = try value(of: "descr")
        guard descrText.first == "'", let end = descrText.dropFirst().firstIndex(of: "'") else {
            throw ImageError(.corrupt, name, "the .npy header's 'descr' is not a quoted string")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let type = NPYFile.ElementType(descr: descr) else {
            throw ImageError(.unsupported, name, "dtype '\(descr)' is not supported (little-endian float32, float64, uint8, bool, int32 or int64)")
        }
        if try value(of: "fortran_order").hasPrefix("True") {
            throw ImageError(.unsupported, name, "the array is stored in Fortran order; save it in C order (np.ascontiguousarray)")
        }
        let shapeText = try value(of: "shape")
        guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw ImageError(.corrupt, name, "the .npy header's 'shape' is not a tuple")
        }
        let parts = shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let dimensions = parts.compactMap { Int($0) }
        guard dimensions.count == parts.count, dimensions.allSatisfy({ $0 >= 0 }) else {
            throw ImageError(.corrupt, name, "the .npy shape (\(parts.joined(separator: ", "))) is not a tuple of sizes")
        }
        self.type = type
        self.shape = dimensions
    }
}

/// Each element type's `descr` code, size and conversion to `Float`.
extension NPYFile.ElementType {
    init?(descr: String) {
        switch descr {
        case "<f4": self = .float32
        case "<f8": self = .float64
        case "|u1", "<u1": self = .uint8
        case "|b1": self = .bool
        case "<i4": self = .int32
        case "<i8": self = .int64
        default: return nil
        }
    }

    var descr: String {
        switch self {
        case .float32: "<f4"
        case .float64: "<f8"
        case .uint8: "|u1"
        case .bool: "|b1"
        case .int32: "<i4"
        case .int64: "<i8"
        }
    }

    var size: Int {
        switch self {
        case .uint8, .bool: 1
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }

    func load(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Float {
        switch self {
        case .float32: Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        case .float64: Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
        case .uint8: Float(raw[offset])
        case .bool: raw[offset] != 0 ? 1 : 0
        case .int32: Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        case .int64: Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
        }
    }
}
