import Foundation

/// The still-image file formats this module reads. PNG and JPEG can also be written.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case png, jpeg, tiff, bmp

    /// The format whose signature starts `data`, or nil. The file name's extension is never consulted,
    /// so a JPEG saved as `.png` still decodes.
    ///
    /// Signatures: PNG `89 50 4E 47 0D 0A 1A 0A`, JPEG `FF D8 FF`, TIFF `II*\0` or `MM\0*`, BMP `BM`.
    public static func detect(_ data: Data) -> ImageFormat? {
        let head = [UInt8](data.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if head.starts(with: [0x42, 0x4D]) { return .bmp }
        return nil
    }

    /// The file extensions (lower case, without the dot) taken as still images wherever XADKit
    /// lists a folder: datasets, frame folders, prediction inputs.
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"]

    /// Whether the file name `name` ends in one of ``fileExtensions`` (any case).
    public static func isImageFileName(_ name: String) -> Bool {
        fileExtensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .tiff: "tif"
        case .bmp: "bmp"
        }
    }
}
