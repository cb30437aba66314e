#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Tensors that borrow its bytes keep it alive; the
/// mapping goes away with the last of them.
package final class MappedFile: @unchecked Sendable {
    /// The path as the caller gave it, for error messages.
    package let path: String
    /// The file's bytes; valid for the lifetime of this object and never written.
    package let bytes: UnsafeRawBufferPointer

    /// Maps `path`. An empty file is an error (there is nothing to map and nothing to read).
    package init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw WeightError(.unreadable, path, "cannot open the file (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw WeightError(.unreadable, path, "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else { throw WeightError(.truncated, path, "the file is empty (0 bytes)") }
        let mapFailed = UnsafeMutableRawPointer(bitPattern: -1)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != mapFailed else {
            throw WeightError(.unreadable, path, "cannot map the file (\(String(cString: strerror(errno))))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// A cursor over little-endian bytes whose every read is bounds-checked: running off the end
/// throws a ``WeightError`` of kind `.truncated` that names the file and what was being read.
package struct ByteReader {
    /// The bytes being read (a whole file or one zip entry).
    package let bytes: UnsafeRawBufferPointer
    /// The file the bytes come from, for error messages.
    package let file: String
    /// What the bytes hold, e.g. "the pickle", for error messages.
    package let context: String
    /// The offset of the next byte to read.
    package var position: Int

    package init(_ bytes: UnsafeRawBufferPointer, file: String, context: String, position: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.context = context
        self.position = position
    }

    /// Bytes left after the cursor.
    package var remaining: Int { bytes.count - position }

    /// The next `count` bytes, after checking they exist.
    package mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw WeightError(.truncated, file,
                              "\(context) is cut short: \(count) bytes needed at offset \(position), \(remaining) left")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// A fixed-width little-endian integer.
    package mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// A length that must fit in `Int` and in the bytes left.
    package mutating func length<T: FixedWidthInteger>(_ type: T.Type) throws -> Int {
        let value = try integer(type)
        guard let length = Int(exactly: value), length >= 0, length <= remaining else {
            throw WeightError(.truncated, file,
                              "\(context) announces \(value) bytes at offset \(position), \(remaining) left")
        }
        return length
    }

    /// `count` bytes decoded as UTF-8.
    package mutating func string(_ count: Int) throws -> String {
        let start = position
        let raw = try take(count)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WeightError(.malformed, file, "\(context) has text that is not UTF-8 at offset \(start)")
        }
        return text
    }
}
