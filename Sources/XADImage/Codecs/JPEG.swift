import CTurboJPEG
import Foundation

/// JPEG through TurboJPEG (libjpeg-turbo 2.1's `tjDecompress2` / `tjCompress2` API, which returns
/// error codes instead of the `setjmp`/`longjmp` of libjpeg).
///
/// Read: baseline and progressive, gray (1 channel) and YCbCr/RGB colour (3 channels), decoded with
/// the accurate integer DCT and smooth ("fancy") chroma upsampling, the defaults Pillow uses too.
/// CMYK files are refused. A file that ends early is an error, not a grey-padded image.
enum JPEGCodec {
    static func decode(_ data: Data, source: String) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw ImageError(.corrupt, source, "cannot start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &width, &height,
                                      &subsampling, &colorspace) == 0 else {
                throw ImageError(.corrupt, source, "cannot read the JPEG header (\(message(handle)))")
            }
            guard colorspace != Int32(TJCS_CMYK.rawValue), colorspace != Int32(TJCS_YCCK.rawValue) else {
                throw ImageError(.unsupported, source, "CMYK JPEG images are not supported")
            }
            let channels = colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3
            try Image.validate(width: Int(width), height: Int(height), channels: channels, bitDepth: 8, source: source)
            var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
            let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
            let status = pixels.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), output.baseAddress, width, 0, height,
                              Int32(format.rawValue), TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS)
            }
            if status != 0 {
                let text = message(handle)
                // Warnings such as "extraneous bytes before marker" leave a complete image; a file that
                // ends early ("Premature end of JPEG file") does not.
                if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || text.contains("Premature end") {
                    throw ImageError(.corrupt, source, "cannot decode the JPEG data (\(text))")
                }
            }
            return Image(validatedWidth: Int(width), height: Int(height), channels: channels, bitDepth: 8,
                         samples: pixels.withUnsafeBufferPointer(Image.widened))
        }
    }

    /// Encodes 4:2:0 colour or single-channel gray at `quality` (1...100); alpha is dropped and
    /// 16-bit samples are scaled to 8 bits.
    static func encode(_ image: Image, quality: Int) throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImageError(.invalidArgument, "image", "JPEG quality \(quality) is outside 1...100")
        }
        guard let handle = tjInitCompress() else { throw ImageError(.writeFailed, "image", "cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        let colorChannels = image.channels >= 3 ? 3 : 1
        var pixels = [UInt8](repeating: 0, count: image.width * image.height * colorChannels)
        for pixel in 0..<(image.width * image.height) {
            for channel in 0..<colorChannels {
                let value = image.samples[pixel * image.channels + channel]
                pixels[pixel * colorChannels + channel] =
                    image.bitDepth == 16 ? UInt8((UInt32(value) * 255 + 32767) / 65535) : UInt8(min(value, 255))
            }
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { tjFree(output) }
        let format = colorChannels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsampling = colorChannels == 1 ? TJSAMP_GRAY : TJSAMP_420
        let status = tjCompress2(handle, pixels, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                                 &output, &size, Int32(subsampling.rawValue), Int32(quality), TJFLAG_ACCURATEDCT)
        guard status == 0, let output else {
            throw ImageError(.writeFailed, "image", "cannot encode the JPEG (\(message(handle)))")
        }
        return Data(bytes: output, count: Int(size))
    }

    private static func message(_ handle: tjhandle) -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
    }
}
