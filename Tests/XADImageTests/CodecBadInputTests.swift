import Foundation
import Testing
import XADTestSupport
@testable import XADImage

/// Damaged and hostile files: each is refused with an `ImageError` that names the file, never a crash.
@Suite struct CodecBadInputTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-codec-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Writes `data` to the scratch folder and decodes it, returning the error thrown.
    private func decodeError(_ data: Data, named name: String) throws -> ImageError {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        do {
            let image = try Image(contentsOf: url)
            Issue.record("\(name) decoded to \(image.width)x\(image.height) instead of failing")
            return ImageError(.corrupt, name, "no error")
        } catch let error as ImageError {
            #expect(error.description.contains(name), "error does not name the file: \(error)")
            return error
        }
    }

    @Test func zeroByteFileIsEmpty() throws {
        #expect(try decodeError(Data(), named: "empty.png").kind == .empty)
    }

    @Test func missingFileIsUnreadable() {
        let url = folder.appendingPathComponent("missing.png")
        let error = #expect(throws: ImageError.self) { _ = try Image(contentsOf: url) }
        #expect(error?.kind == .unreadable)
        #expect(error?.description.contains("missing.png") == true)
    }

    @Test func textFileIsUnknownFormat() throws {
        #expect(try decodeError(Data("not an image".utf8), named: "notes.png").kind == .unknownFormat)
    }

    @Test(arguments: ["rgb8.png", "baseline420.jpg", "progressive.jpg", "rgb_lzw.tif", "rgb16_deflate.tif",
                      "rgb16_tiled.tif", "rgb24.bmp", "palette8.bmp"])
    func truncatedFileIsRefused(_ name: String) throws {
        let data = try Data(contentsOf: imageFixture(name))
        let error = try decodeError(data.prefix(data.count * 2 / 3), named: "truncated-\(name)")
        #expect(error.kind == .corrupt)
    }

    /// A BMP cut inside its header: the shared byte reader says where, instead of trapping.
    @Test func bmpCutInsideItsHeaderSaysWhere() throws {
        let data = try Data(contentsOf: imageFixture("rgb24.bmp"))
        let error = try decodeError(data.prefix(20), named: "cut.bmp")
        #expect(error.kind == .corrupt)
        #expect(error.message == "the BMP file is cut short: 4 bytes needed at offset 18, 2 left")
    }

    @Test(arguments: ["rgb8.png", "baseline420.jpg"])
    func corruptedBytesAreRefused(_ name: String) throws {
        var bytes = [UInt8](try Data(contentsOf: imageFixture(name)))
        // Zero the bytes after the signature: PNG fails the IHDR CRC, JPEG loses its markers and tables.
        // (Damage inside JPEG entropy data is only a warning in libjpeg and Pillow, and still decodes.)
        for index in 20..<44 { bytes[index] = 0 }
        let error = try decodeError(Data(bytes), named: "corrupt-\(name)")
        #expect(error.kind == .corrupt)
    }

    @Test(arguments: ["zero_size.png", "zero_size.bmp"])
    func zeroSizeHeaderIsRefused(_ name: String) throws {
        let error = try decodeError(try Data(contentsOf: imageFixture(name)), named: name)
        #expect(error.kind == .invalidSize || error.kind == .corrupt)
    }

    /// Headers claiming 100000 x 100000 (65000 x 65000 for JPEG) exceed `Image.maximumPixelCount`
    /// and are refused before any pixel buffer is allocated.
    @Test(arguments: ["huge.png", "huge.bmp", "huge.jpg", "huge.tif"])
    func giganticHeaderIsRefusedBeforeAllocating(_ name: String) throws {
        let error = try decodeError(try Data(contentsOf: imageFixture(name)), named: name)
        #expect(error.kind == .invalidSize)
        #expect(error.message.contains("exceeds the limit"))
    }

    /// A JPEG named `.png` decodes as JPEG: the format comes from the bytes.
    @Test func wrongExtensionStillDecodes() throws {
        let url = folder.appendingPathComponent("actually-a-jpeg.png")
        try Data(contentsOf: imageFixture("gray.jpg")).write(to: url)
        #expect(try Image(contentsOf: url) == Image(contentsOf: imageFixture("gray.jpg")))
    }
}
