import Foundation
import XADTensor

/// Reads MATLAB MAT-files of version 5 (what `save -v7` and `scipy.io.savemat` write), enough for
/// the ground truth of video anomaly data sets (CUHK Avenue's mask volumes and frame-range files).
///
/// Supported: numeric arrays of every integer class, `single` and `double`; logical arrays;
/// `char` arrays (as text); cell and struct arrays, nested; `miCOMPRESSED` (zlib) elements;
/// both byte orders. Not supported (an error naming the variable): complex, sparse and object
/// arrays, and v7.3 files (HDF5; save with `-v7`). Every read is bounds-checked: a damaged file
/// throws ``LabelFileError`` naming it.
///
/// ```swift
/// let file = try MATFile(contentsOf: URL(fileURLWithPath: "testing_label_mask/1_label.mat"))
/// let volume = try #require(file["volLabel"]?.cell)        // 1 x frames cell of H x W masks
/// let firstMask = volume.elements[0].array?.tensor()       // [H, W]
/// ```
public struct MATFile: Sendable {
    /// The largest total size that compressed elements may expand to: `ReadingLimits.current`'s
    /// `maxDecompressedBytes` (2 GiB unless raised).
    public static var maximumExpandedBytes: Int { ReadingLimits.current.maxDecompressedBytes }

    /// The variables by name.
    public let variables: [String: MATValue]
    /// The variable names in file order.
    public let names: [String]

    /// The variable `name`, or nil.
    public subscript(name: String) -> MATValue? { variables[name] }

    /// Reads the file at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw LabelFileError(url.path, "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, name: url.path)
    }

    /// Reads a MAT-file held in memory; `name` labels errors.
    public init(data: Data, name: String) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 128 else {
            throw LabelFileError(name, bytes.isEmpty ? "the file is empty (0 bytes)" : "too short for a MAT-file header (\(bytes.count) bytes)")
        }
        let text = String(decoding: bytes[0..<116], as: UTF8.self)
        if bytes.count >= 520, Array(bytes[512..<520]) == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] {
            throw LabelFileError(name, "a MAT v7.3 (HDF5) file; only v5/v7 files are supported (save with -v7)")
        }
        let bigEndian: Bool
        switch (bytes[126], bytes[127]) {
        case (UInt8(ascii: "I"), UInt8(ascii: "M")): bigEndian = false
        case (UInt8(ascii: "M"), UInt8(ascii: "I")): bigEndian = true
        default:
            throw LabelFileError(name, text.hasPrefix("MATLAB") ? "unknown byte-order mark in the header"
                                                              : "not a MAT v5 file (no 'MATLAB 5.0 MAT-file' header)")
        }
        var reader = MATElementReader(bytes[...], bigEndian: bigEndian, file: name, budget: Self.maximumExpandedBytes)
        reader.position = 128
        var variables: [String: MATValue] = [:]
        var names: [String] = []
        while reader.position < bytes.count {
            guard let (variableName, value) = try reader.variable() else { continue }
            if variables.updateValue(value, forKey: variableName) == nil { names.append(variableName) }
        }
        self.variables = variables
        self.names = names
    }
}

/// A label file (MAT-file, `.npy` labels) that cannot be read or does not fit the clips; names
/// the file (and variable or clip, where known). A data error.
public struct LabelFileError: StatusReportingError, Equatable, Sendable {
    public var exitStatus: ExitStatus { .data }
    /// The file.
    public let file: String
    /// What is wrong.
    public let problem: String

    public init(_ file: String, _ problem: String) { (self.file, self.problem) = (file, problem) }

    public var description: String { "\(file): \(problem)" }
}
