import XADImage

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

extension ByteReader {
    /// A reader whose failures are ``WeightError``s naming `file`: `.truncated` for bytes that run
    /// out, `.malformed` for text that is not UTF-8.
    package init(_ bytes: UnsafeRawBufferPointer, file: String, context: String, position: Int = 0) {
        self.init(bytes, file: file, context: context, position: position) { problem, file, message in
            WeightError(problem == .cutShort ? .truncated : .malformed, file, message)
        }
    }
}
