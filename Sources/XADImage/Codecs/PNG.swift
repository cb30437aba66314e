import CPNG
import Foundation

/// PNG through libpng's simplified `png_image_*` API, which reports errors in `png_image.message`
/// instead of the `setjmp`/`longjmp` of the classic API (unusable from Swift).
///
/// Read: 1/2/4/8/16-bit gray, gray + alpha, RGB, RGBA and palette files. Palette files become RGB, or
/// RGBA when the palette has transparency; bit depths below 8 become 8-bit. Samples are returned as
/// stored, as Pillow and OpenCV return them: the colour-space chunks (gAMA, cHRM, sRGB, iCCP) are
/// removed before libpng sees the file, because the simplified API would otherwise convert, e.g.,
/// an 8-bit file tagged gamma 1.0 to sRGB (64 would read as 136).
///
/// 16-bit images with alpha: the simplified API's 16-bit format is linear with *premultiplied*
/// alpha, so colour samples are un-premultiplied (`round(c * 65535 / alpha)`). They are exact where
/// alpha is 65535, within 1 elsewhere, and 0 where alpha is 0. 8-bit images are never premultiplied.
enum PNGCodec {
    static func decode(_ encoded: Data, source: String) throws -> Image {
        let data = withoutColorSpaceChunks(encoded)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { bytes in
            png_image_begin_read_from_memory(&png, bytes.baseAddress, bytes.count)
        }
        guard begun != 0 else { throw error(png, source, "cannot read the PNG header") }
        let isColor = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = png.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let isSixteenBit = png.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        let channels = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        let (width, height) = (Int(png.width), Int(png.height))
        do {
            try Image.validate(width: width, height: height, channels: channels,
                               bitDepth: isSixteenBit ? 16 : 8, source: source)
        } catch {
            png_image_free(&png)
            throw error
        }
        // Asking for the file's own layout without the colour-map flag expands palettes.
        png.format = (isColor ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
            | (isSixteenBit ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        let count = width * height * channels
        if isSixteenBit {
            var samples = [UInt16](repeating: 0, count: count)
            let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else { throw error(png, source, "cannot decode the PNG data") }
            if hasAlpha { unpremultiply(&samples, channels: channels) }
            return Image(validatedWidth: width, height: height, channels: channels, bitDepth: 16, samples: samples)
        }
        var bytes = [UInt8](repeating: 0, count: count)
        let finished = bytes.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw error(png, source, "cannot decode the PNG data") }
        return Image(validatedWidth: width, height: height, channels: channels, bitDepth: 8,
                     samples: bytes.withUnsafeBufferPointer(Image.widened))
    }

    static func encode(_ image: Image) throws -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = (image.channels >= 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0)
            | (image.hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
            | (image.bitDepth == 16 ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        if image.bitDepth == 16 {
            var samples = image.samples
            if image.hasAlpha { premultiply(&samples, channels: image.channels) }
            return try samples.withUnsafeBytes { try write(&png, pixels: $0) }
        }
        let bytes = image.samples.map { UInt8(min($0, 255)) }
        return try bytes.withUnsafeBytes { try write(&png, pixels: $0) }
    }

    /// Runs the in-memory writer twice: once for the size, once into a buffer of that size.
    private static func write(_ png: inout png_image, pixels: UnsafeRawBufferPointer) throws -> Data {
        var size = 0
        guard png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil) != 0 else {
            throw error(png, "image", "cannot encode the PNG")
        }
        var output = Data(count: size)
        let written = output.withUnsafeMutableBytes {
            png_image_write_to_memory(&png, $0.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard written != 0 else { throw error(png, "image", "cannot encode the PNG") }
        return output.prefix(size)
    }

    /// The file without its gAMA, cHRM, sRGB and iCCP chunks (each chunk carries its own CRC, so the
    /// rest stays valid). Returns `data` itself when there are none or the chunk layout is damaged,
    /// leaving damage for libpng to report.
    static func withoutColorSpaceChunks(_ data: Data) -> Data {
        let colorSpaceChunks: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]
        let bytes = [UInt8](data.prefix(1 << 16))  // colour-space chunks must precede the image data
        var keptRanges: [Range<Int>] = []
        var offset = 8, keptFrom = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if type == "IDAT" || type == "IEND" { break }
            let next = offset + 12 + length
            guard length < 1 << 31, next <= data.count else { return data }
            if colorSpaceChunks.contains(type) {
                keptRanges.append(keptFrom..<offset)
                keptFrom = next
            }
            offset = next
        }
        guard !keptRanges.isEmpty else { return data }
        var result = Data(capacity: data.count)
        result.append(data.prefix(8))
        for range in keptRanges where !range.isEmpty {
            result.append(data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)])
        }
        result.append(data.suffix(from: data.startIndex + keptFrom))
        return result
    }

    /// libpng's linear 16-bit format carries premultiplied colour; undo that on read.
    private static func unpremultiply(_ samples: inout [UInt16], channels: Int) {
        for start in stride(from: 0, to: samples.count, by: channels) {
            let alpha = UInt32(samples[start + channels - 1])
            for channel in 0..<(channels - 1) {
                let value = alpha == 0 ? 0 : (UInt32(samples[start + channel]) * 65535 + alpha / 2) / alpha
                samples[start + channel] = UInt16(min(value, 65535))
            }
        }
    }

    /// The writer expects premultiplied colour in its linear 16-bit format.
    private static func premultiply(_ samples: inout [UInt16], channels: Int) {
        for start in stride(from: 0, to: samples.count, by: channels) {
            let alpha = UInt32(samples[start + channels - 1])
            for channel in 0..<(channels - 1) {
                samples[start + channel] = UInt16((UInt32(samples[start + channel]) * alpha + 32767) / 65535)
            }
        }
    }

    private static func error(_ png: png_image, _ source: String, _ what: String) -> ImageError {
        var message = png.message
        let text = withUnsafeBytes(of: &message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let kind: ImageError.Kind = text.contains("memory") ? .invalidSize : .corrupt
        return ImageError(kind, source, "\(what)\(text.isEmpty ? "" : " (libpng: \(text))")")
    }
}
