import CTIFF
import Foundation

/// TIFF through libtiff, read from memory with `TIFFClientOpenExt`.
///
/// Read: strip or tile organised images, uncompressed or compressed with any codec libtiff was built
/// with (LZW, deflate, PackBits, ...), 8 or 16 bits per sample, unsigned integers, gray (MinIsBlack
/// or MinIsWhite, which is inverted), gray + alpha, RGB, RGBA, contiguous or separate planes. Only
/// the first page is read. Palette, 1-bit, float and CMYK files are refused.
///
/// Errors and warnings go to a per-file handler (libtiff 4.5's `TIFFOpenOptions`) that keeps the
/// message for the thrown `ImageError` instead of printing it.
enum TIFFCodec {
    static func decode(_ data: Data, source: String) throws -> Image {
        try data.withUnsafeBytes { bytes in
            let reader = TIFFMemoryReader(bytes: bytes)
            let handle = Unmanaged.passUnretained(reader).toOpaque()
            guard let options = TIFFOpenOptionsAlloc() else {
                throw ImageError(.corrupt, source, "cannot allocate libtiff options")
            }
            defer { TIFFOpenOptionsFree(options) }
            // The handlers are closure literals, not stored constants: Swift 6.3.1's
            // swift-symbolgraph-extract (`make docs`) crashes reading a declaration whose type holds
            // the `va_list` of `TIFFErrorHandlerExtR`.
            TIFFOpenOptionsSetErrorHandlerExtR(options, { _, userData, module, format, arguments in
                guard let reader = TIFFMemoryReader.from(userData), let format, let arguments else { return 1 }
                var buffer = [CChar](repeating: 0, count: 512)
                _ = vsnprintf(&buffer, buffer.count, format, arguments)
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                reader.lastError = module.map { "\(String(cString: $0)): \(text)" } ?? text
                return 1
            }, handle)
            TIFFOpenOptionsSetWarningHandlerExtR(options, { _, _, _, _, _ in 1 }, nil)
            // Bounds any single allocation libtiff makes for a hostile header (strip buffers etc.).
            TIFFOpenOptionsSetMaxSingleMemAlloc(options, 256 << 20)
            guard let tiff = TIFFClientOpenExt(source, "r", handle, readBytes, refuseWrite, seekBytes,
                                               closeNothing, sizeOfBytes, mapBytes, unmapNothing, options) else {
                throw ImageError(.corrupt, source, "cannot open the TIFF (\(reader.lastError ?? "not a TIFF file"))")
            }
            defer { TIFFClose(tiff) }
            return try readFirstPage(tiff, reader: reader, source: source)
        }
    }

    private static func readFirstPage(_ tiff: OpaquePointer, reader: TIFFMemoryReader, source: String) throws -> Image {
        let width = Int(field(tiff, TIFFTAG_IMAGEWIDTH, as: UInt32.self) ?? 0)
        let height = Int(field(tiff, TIFFTAG_IMAGELENGTH, as: UInt32.self) ?? 0)
        let bits = Int(field(tiff, TIFFTAG_BITSPERSAMPLE, as: UInt16.self) ?? 1)
        let channels = Int(field(tiff, TIFFTAG_SAMPLESPERPIXEL, as: UInt16.self) ?? 1)
        let photometric = Int32(field(tiff, TIFFTAG_PHOTOMETRIC, as: UInt16.self) ?? UInt16(PHOTOMETRIC_MINISBLACK))
        let planar = Int32(field(tiff, TIFFTAG_PLANARCONFIG, as: UInt16.self) ?? UInt16(PLANARCONFIG_CONTIG))
        let sampleFormat = Int32(field(tiff, TIFFTAG_SAMPLEFORMAT, as: UInt16.self) ?? UInt16(SAMPLEFORMAT_UINT))

        guard bits == 8 || bits == 16, sampleFormat == SAMPLEFORMAT_UINT else {
            throw ImageError(.unsupported, source,
                             "TIFF with \(bits)-bit samples of format \(sampleFormat) (want 8 or 16-bit unsigned)")
        }
        let isGray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE
        guard (isGray && channels <= 2) || (photometric == PHOTOMETRIC_RGB && (channels == 3 || channels == 4)) else {
            throw ImageError(.unsupported, source,
                             "TIFF photometric interpretation \(photometric) with \(channels) samples per pixel")
        }
        try Image.validate(width: width, height: height, channels: channels, bitDepth: bits, source: source)

        var pixels = TIFFPixels(width: width, height: height, channels: channels, bits: bits,
                                separatePlanes: planar == PLANARCONFIG_SEPARATE,
                                invertGray: photometric == PHOTOMETRIC_MINISWHITE)
        let failure = { (what: String) in
            ImageError(.corrupt, source, "cannot read TIFF \(what) (\(reader.lastError ?? "damaged data"))")
        }
        if TIFFIsTiled(tiff) != 0 {
            let tileWidth = Int(field(tiff, TIFFTAG_TILEWIDTH, as: UInt32.self) ?? 0)
            let tileHeight = Int(field(tiff, TIFFTAG_TILELENGTH, as: UInt32.self) ?? 0)
            let tileSize = Int(TIFFTileSize(tiff))
            guard tileWidth > 0, tileHeight > 0, tileSize >= pixels.blockBytes(width: tileWidth, height: tileHeight) else {
                throw ImageError(.corrupt, source, "TIFF tile size \(tileWidth)x\(tileHeight) is invalid")
            }
            var tile = [UInt8](repeating: 0, count: tileSize)
            for plane in pixels.planes {
                for y in stride(from: 0, to: height, by: tileHeight) {
                    for x in stride(from: 0, to: width, by: tileWidth) {
                        let read = tile.withUnsafeMutableBytes {
                            TIFFReadTile(tiff, $0.baseAddress, UInt32(x), UInt32(y), 0, UInt16(plane))
                        }
                        guard read > 0 else { throw failure("tile at (\(x), \(y))") }
                        tile.withUnsafeBytes { pixels.copy($0, blockWidth: tileWidth, x: x, y: y, rows: tileHeight, plane: plane) }
                    }
                }
            }
        } else {
            let scanlineSize = Int(TIFFScanlineSize(tiff))
            guard scanlineSize >= pixels.blockBytes(width: width, height: 1) else {
                throw ImageError(.corrupt, source, "TIFF scanline is shorter than \(width) pixels")
            }
            var row = [UInt8](repeating: 0, count: scanlineSize)
            for plane in pixels.planes {
                for y in 0..<height {
                    let status = row.withUnsafeMutableBytes { TIFFReadScanline(tiff, $0.baseAddress, UInt32(y), UInt16(plane)) }
                    guard status == 1 else { throw failure("row \(y)") }
                    row.withUnsafeBytes { pixels.copy($0, blockWidth: width, x: 0, y: y, rows: 1, plane: plane) }
                }
            }
        }
        return Image(validatedWidth: width, height: height, channels: channels, bitDepth: bits, samples: pixels.samples)
    }

    /// `TIFFGetFieldDefaulted` is variadic; Swift calls its `va_list` form.
    private static func field<Value: FixedWidthInteger>(_ tiff: OpaquePointer, _ tag: Int32, as: Value.Type) -> Value? {
        var value: Value = 0
        let found = withUnsafeMutablePointer(to: &value) { pointer in
            withVaList([pointer]) { TIFFVGetFieldDefaulted(tiff, UInt32(tag), $0) }
        }
        return found == 1 ? value : nil
    }
}

/// The output image being assembled from decoded strips or tiles (blocks) of one plane or all.
private struct TIFFPixels {
    let width: Int, height: Int, channels: Int, bits: Int
    let separatePlanes: Bool
    /// MinIsWhite files store 0 as white; the gray channel is inverted to the usual convention.
    let invertGray: Bool
    var samples: [UInt16]

    init(width: Int, height: Int, channels: Int, bits: Int, separatePlanes: Bool, invertGray: Bool) {
        (self.width, self.height, self.channels, self.bits) = (width, height, channels, bits)
        self.separatePlanes = separatePlanes
        self.invertGray = invertGray
        samples = [UInt16](repeating: 0, count: width * height * channels)
    }

    /// The planes to read: each channel on its own (separate) or all together (contiguous, plane 0).
    var planes: Range<Int> { 0..<(separatePlanes ? channels : 1) }

    /// Bytes of one decoded block `width` x `height` pixels wide.
    func blockBytes(width: Int, height: Int) -> Int { width * height * (separatePlanes ? 1 : channels) * bits / 8 }

    /// Copies a decoded block whose rows are `blockWidth` pixels apart, clipped to the image
    /// (edge tiles extend past it). libtiff has already put 16-bit samples in host byte order.
    mutating func copy(_ block: UnsafeRawBufferPointer, blockWidth: Int, x: Int, y: Int, rows: Int, plane: Int) {
        let samplesPerPixel = separatePlanes ? 1 : channels
        let maximum: UInt16 = bits == 16 ? .max : 255
        for row in 0..<min(rows, height - y) {
            for column in 0..<min(blockWidth, width - x) {
                for sample in 0..<samplesPerPixel {
                    let index = (row * blockWidth + column) * samplesPerPixel + sample
                    var value = bits == 16 ? block.load(fromByteOffset: 2 * index, as: UInt16.self) : UInt16(block[index])
                    let channel = separatePlanes ? plane : sample
                    if invertGray && channel == 0 { value = maximum - value }
                    samples[((y + row) * width + x + column) * channels + channel] = value
                }
            }
        }
    }
}

/// The encoded bytes libtiff reads through its client callbacks; also collects the last error.
private final class TIFFMemoryReader {
    let bytes: UnsafeRawBufferPointer
    var offset: UInt64 = 0
    var lastError: String?

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func from(_ handle: UnsafeMutableRawPointer?) -> TIFFMemoryReader? {
        handle.map { Unmanaged<TIFFMemoryReader>.fromOpaque($0).takeUnretainedValue() }
    }
}

private let readBytes: TIFFReadWriteProc = { handle, buffer, size in
    guard let reader = TIFFMemoryReader.from(handle), let buffer, size >= 0 else { return -1 }
    let start = min(Int(clamping: reader.offset), reader.bytes.count)
    let count = min(Int(size), reader.bytes.count - start)
    if count > 0, let base = reader.bytes.baseAddress { buffer.copyMemory(from: base + start, byteCount: count) }
    reader.offset = UInt64(start + count)
    return tmsize_t(count)
}

private let refuseWrite: TIFFReadWriteProc = { _, _, _ in -1 }

private let seekBytes: TIFFSeekProc = { handle, offset, whence in
    guard let reader = TIFFMemoryReader.from(handle) else { return UInt64.max }
    switch whence {
    case SEEK_SET: reader.offset = offset
    case SEEK_CUR: reader.offset &+= offset
    case SEEK_END: reader.offset = UInt64(reader.bytes.count) &+ offset
    default: return UInt64.max
    }
    return reader.offset
}

private let closeNothing: TIFFCloseProc = { _ in 0 }

private let sizeOfBytes: TIFFSizeProc = { handle in UInt64(TIFFMemoryReader.from(handle)?.bytes.count ?? 0) }

/// Hands libtiff the whole buffer, so it reads strips without copying.
private let mapBytes: TIFFMapFileProc = { handle, base, size in
    guard let reader = TIFFMemoryReader.from(handle), let base, let size else { return 0 }
    base.pointee = UnsafeMutableRawPointer(mutating: reader.bytes.baseAddress)
    size.pointee = UInt64(reader.bytes.count)
    return 1
}

private let unmapNothing: TIFFUnmapFileProc = { _, _, _ in }
