import Foundation

extension Image {
    /// Decodes the image file at `url`. The format comes from the file's first bytes, not its name.
    /// Throws `ImageError` naming the file for a missing, empty, unknown, corrupt, truncated or
    /// oversized (`maximumPixelCount`) image.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError(.unreadable, url.path, "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, name: url.path)
    }

    /// Decodes an encoded image held in memory; `name` labels errors (e.g. the archive member's path).
    public init(data: Data, name: String) throws {
        guard !data.isEmpty else { throw ImageError(.empty, name, "the file is empty (0 bytes)") }
        guard let format = ImageFormat.detect(data) else {
            let head = data.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw ImageError(.unknownFormat, name, "not a PNG, JPEG, TIFF or BMP image (starts with \(head))")
        }
        switch format {
        case .png: self = try PNGCodec.decode(data, source: name)
        case .jpeg: self = try JPEGCodec.decode(data, source: name)
        case .tiff: self = try TIFFCodec.decode(data, source: name)
        case .bmp: self = try BMPCodec.decode(data, source: name)
        }
    }

    /// The image encoded as `format` (PNG or JPEG).
    ///
    /// PNG keeps the bit depth and channels and is lossless, except that 16-bit images with alpha
    /// pass through libpng's premultiplied format (colour exact where alpha is 65535). JPEG
    /// (4:2:0, or gray) drops alpha and stores 8 bits per sample (16-bit samples are scaled by
    /// 255/65535 and rounded); `jpegQuality` is 1...100. TIFF and BMP are read-only.
    public func encoded(as format: ImageFormat = .png, jpegQuality: Int = 90) throws -> Data {
        switch format {
        case .png: return try PNGCodec.encode(self)
        case .jpeg: return try JPEGCodec.encode(self, quality: jpegQuality)
        case .tiff, .bmp:
            throw ImageError(.unsupported, "image", "writing \(format.rawValue.uppercased()) is not supported (PNG or JPEG)")
        }
    }

    /// Writes the image to `url` as `format`. The bytes go to a temporary file in the same folder
    /// first, which is then renamed over `url`, so a failed write never leaves a half-written file
    /// (see ``AtomicFile``).
    /// - Throws: ``ImageError`` when the image cannot be encoded, ``FileWriteError`` when the
    ///   file cannot be written.
    public func write(to url: URL, format: ImageFormat = .png, jpegQuality: Int = 90) throws {
        try AtomicFile.write(try encoded(as: format, jpegQuality: jpegQuality), to: url)
    }
}
