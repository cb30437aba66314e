/// Little-endian reads over a file's bytes, every one bounds-checked: reading past the end throws
/// the caller's own error (an ``ImageError`` for a BMP, a `WeightError` for a checkpoint) naming
/// the file, what was being read and where, instead of trapping.
///
/// It reads at a cursor (`integer`, `take`, `string`, which move ``position``) or at a fixed
/// offset (`integer(_:at:)`, `bytes(at:count:)`):
///
/// ```swift
/// var reader = ByteReader(raw, file: "mask.bmp", context: "the BMP header") { _, file, message in
///     ImageError(.corrupt, file, message)
/// }
/// let width = try reader.integer(Int32.self, at: 18)
/// // throws "mask.bmp: the BMP header is cut short: 4 bytes needed at offset 18, 2 left"
/// ```
package struct ByteReader {
    /// What went wrong, for the error maker to choose its error's kind.
    package enum Problem: Sendable {
        /// The bytes end before the data asked for.
        case cutShort
        /// Bytes read as text are not UTF-8.
        case notUTF8
    }

    /// Makes the caller's error from a problem, the file and a sentence completing "<file>: ...".
    package typealias ErrorMaker = @Sendable (_ problem: Problem, _ file: String, _ message: String) -> any Error

    /// The bytes being read (a whole file, or one part of it such as a zip entry).
    package let bytes: UnsafeRawBufferPointer
    /// The file the bytes come from, for error messages.
    package let file: String
    /// What the bytes hold, e.g. "the pickle", for error messages.
    package let context: String
    /// The offset of the next byte a cursor read takes.
    package var position: Int
    /// Turns a failed read into the caller's error.
    private let makeError: ErrorMaker

    /// A reader over `bytes` (which must outlive it) whose failures are made by `makeError`.
    package init(_ bytes: UnsafeRawBufferPointer, file: String, context: String, position: Int = 0,
                 makeError: @escaping ErrorMaker) {
        self.bytes = bytes
        self.file = file
        self.context = context
        self.position = position
        self.makeError = makeError
    }

    /// Bytes left after the cursor.
    package var remaining: Int { bytes.count - position }

    /// The `count` bytes at `offset`, after checking they exist.
    package func bytes(at offset: Int, count: Int) throws -> UnsafeRawBufferPointer {
        guard offset >= 0, count >= 0, count <= bytes.count - offset else {
            throw makeError(.cutShort, file, "\(context) is cut short: \(count) bytes needed at offset \(offset), "
                                             + "\(Swift.max(0, bytes.count - offset)) left")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// The fixed-width little-endian integer at `offset`.
    package func integer<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) throws -> T {
        T(littleEndian: try bytes(at: offset, count: MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// The next `count` bytes, after checking they exist.
    package mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        let taken = try bytes(at: position, count: count)
        position += count
        return taken
    }

    /// The next fixed-width little-endian integer.
    package mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// The next integer, read as a length that must fit in `Int` and in the bytes left.
    package mutating func length<T: FixedWidthInteger>(_ type: T.Type) throws -> Int {
        let value = try integer(type)
        guard let length = Int(exactly: value), length >= 0, length <= remaining else {
            throw makeError(.cutShort, file, "\(context) announces \(value) bytes at offset \(position), \(remaining) left")
        }
        return length
    }

    /// The next `count` bytes decoded as UTF-8.
    package mutating func string(_ count: Int) throws -> String {
        let start = position
        let raw = try take(count)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw makeError(.notUTF8, file, "\(context) has text that is not UTF-8 at offset \(start)")
        }
        return text
    }
}
