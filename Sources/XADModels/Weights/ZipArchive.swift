import XADImage
import XADTensor

/// A small reader for the zip archives `torch.save` writes: it reads the central directory
/// (ZIP64 included) and hands out the bytes of stored (uncompressed) entries in place.
///
/// PyTorch never compresses entries (so storages can be memory-mapped); a compressed or
/// encrypted entry means the file was re-packed by another tool, and reading it fails with a
/// ``WeightError`` of kind `.unsupported` that names the entry.
package struct ZipArchive {
    /// One central-directory record.
    package struct Entry {
        package let name: String
        let method: UInt16
        let flags: UInt16
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    /// Entries in directory order.
    package let entries: [Entry]
    private let file: MappedFile
    private let indexByName: [String: Int]

    package init(_ file: MappedFile) throws {
        self.file = file
        var reader = ByteReader(file.bytes, file: file.path, context: "the zip central directory")
        let (count, directoryOffset) = try Self.directoryLocation(file, &reader)
        reader.position = directoryOffset
        var entries: [Entry] = []
        for _ in 0..<count {
            entries.append(try Self.centralRecord(&reader, file: file))
        }
        self.entries = entries
        self.indexByName = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The entry called `name`, or `nil`.
    package func entry(_ name: String) -> Entry? { indexByName[name].map { entries[$0] } }

    /// The bytes of a stored entry, in place in the mapped file.
    package func data(of entry: Entry) throws -> UnsafeRawBufferPointer {
        guard entry.method == 0 else {
            throw WeightError(.unsupported, file.path,
                              "the zip entry \(entry.name) is compressed (method \(entry.method)); PyTorch stores entries "
                              + "uncompressed, so re-save the checkpoint with torch.save instead of re-zipping it")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw WeightError(.malformed, file.path, "the stored zip entry \(entry.name) has two different sizes")
        }
        guard entry.flags & 1 == 0 else {
            throw WeightError(.unsupported, file.path, "the zip entry \(entry.name) is encrypted")
        }
        var reader = ByteReader(file.bytes, file: file.path, context: "the zip entry \(entry.name)",
                                position: entry.localHeaderOffset)
        guard try reader.integer(UInt32.self) == 0x0403_4b50 else {
            throw WeightError(.malformed, file.path, "the zip entry \(entry.name) has no local header where the directory says")
        }
        reader.position += 22
        let nameLength = Int(try reader.integer(UInt16.self)), extraLength = Int(try reader.integer(UInt16.self))
        _ = try reader.take(nameLength + extraLength)
        return try reader.take(entry.compressedSize)
    }

    /// Finds the end-of-central-directory record (and its ZIP64 form) and returns the entry count
    /// and the directory's offset.
    private static func directoryLocation(_ file: MappedFile, _ reader: inout ByteReader) throws -> (Int, Int) {
        let bytes = file.bytes
        let lowest = max(0, bytes.count - 22 - 65_535)  // the record ends with a comment of up to 64 KB
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: {
            bytes.loadUnaligned(fromByteOffset: $0, as: UInt32.self) == UInt32(0x0605_4b50).littleEndian
        }) else {
            throw WeightError(.truncated, file.path, "no zip end-of-central-directory record; the file is cut short or not a zip")
        }
        reader.position = end + 10
        var count = Int(try reader.integer(UInt16.self))
        reader.position = end + 16
        var offset = Int(try reader.integer(UInt32.self))
        if count == 0xffff || offset == 0xffff_ffff, end >= 20 {
            reader.position = end - 20
            if try reader.integer(UInt32.self) == 0x0706_4b50 {
                reader.position += 4
                reader.position = Int(clamping: try reader.integer(UInt64.self))
                guard try reader.integer(UInt32.self) == 0x0606_4b50 else {
                    throw WeightError(.malformed, file.path, "the ZIP64 end-of-central-directory record is missing")
                }
                reader.position += 28
                count = Int(clamping: try reader.integer(UInt64.self))
                reader.position += 8
                offset = Int(clamping: try reader.integer(UInt64.self))
            }
        }
        guard offset < bytes.count, count <= (bytes.count - offset) / 46 else {
            throw WeightError(.truncated, file.path, "the zip directory (\(count) entries at byte \(offset)) lies outside the file")
        }
        return (count, offset)
    }

    private static func centralRecord(_ reader: inout ByteReader, file: MappedFile) throws -> Entry {
        let start = reader.position
        guard try reader.integer(UInt32.self) == 0x0201_4b50 else {
            throw WeightError(.malformed, file.path, "a zip directory record at byte \(start) has a bad signature")
        }
        reader.position = start + 8
        let flags = try reader.integer(UInt16.self), method = try reader.integer(UInt16.self)
        reader.position = start + 20
        var compressedSize = UInt64(try reader.integer(UInt32.self))
        var uncompressedSize = UInt64(try reader.integer(UInt32.self))
        let nameLength = Int(try reader.integer(UInt16.self))
        let extraLength = Int(try reader.integer(UInt16.self)), commentLength = Int(try reader.integer(UInt16.self))
        reader.position = start + 42
        var localOffset = UInt64(try reader.integer(UInt32.self))
        let name = try reader.string(nameLength)
        var extra = ByteReader(try reader.take(extraLength), file: file.path, context: "the zip extra field of \(name)")
        _ = try reader.take(commentLength)
        // ZIP64 extra field (id 1): the 64-bit values of whichever fields were saturated, in order.
        while extra.remaining >= 4 {
            let id = try extra.integer(UInt16.self), size = Int(try extra.integer(UInt16.self))
            var field = ByteReader(try extra.take(size), file: file.path, context: "the ZIP64 field of \(name)")
            guard id == 1 else { continue }
            if uncompressedSize == 0xffff_ffff { uncompressedSize = try field.integer(UInt64.self) }
            if compressedSize == 0xffff_ffff { compressedSize = try field.integer(UInt64.self) }
            if localOffset == 0xffff_ffff { localOffset = try field.integer(UInt64.self) }
        }
        guard let size = Int(exactly: compressedSize), let fullSize = Int(exactly: uncompressedSize),
              let offset = Int(exactly: localOffset), offset < reader.bytes.count else {
            throw WeightError(.malformed, file.path, "the zip entry \(name) points outside the file")
        }
        // Deflate expands 1032-fold at most: an entry declaring more lies about its sizes (a bomb).
        let limits = ReadingLimits.current
        guard let bound = ReadingLimits.product([size, limits.maxCompressionRatio]), fullSize <= bound else {
            throw WeightError(.malformed, file.path, "the zip entry \(name) declares \(fullSize) bytes from \(size) compressed "
                              + limits.advice("maxCompressionRatio"))
        }
        return Entry(name: name, method: method, flags: flags, compressedSize: size,
                     uncompressedSize: fullSize, localHeaderOffset: offset)
    }
}
