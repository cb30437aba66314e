import Foundation
import XADImage
import XADTensor

/// An image sent to the service: the raw file as the request body (any content type), or the
/// first file part of a `multipart/form-data` body (what an HTML form sends).
struct ImageUpload {
    /// The encoded image.
    let data: Data
    /// What errors call it: the part's file name, or "the request body".
    let name: String

    /// The image carried by a request body with the given `Content-Type`.
    /// - Throws: ``ServeError`` (400) for a multipart body without a file part.
    init(body: Data, contentType: String?) throws {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            (data, name) = (body, "the request body")
            return
        }
        guard let boundary = Self.parameter("boundary", of: contentType) else {
            throw ServeError(.badRequest, "the multipart body's Content-Type names no boundary")
        }
        guard let part = Self.firstFilePart(of: body, boundary: boundary) else {
            throw ServeError(.badRequest, "the multipart body holds no file part (send the image as a form field of type file)")
        }
        (data, name) = part
    }

    /// The image as `[1, C, H, W]` in 0...1 (C = 1 or 3; alpha dropped as data sets drop it).
    /// - Throws: ``ServeError``: 400 for an empty body, 415 for bytes that are no known image
    ///   format, 413 for a header claiming more than `maximumPixels`, 422 for a corrupt or
    ///   truncated image.
    func decoded(maximumPixels: Int) throws -> Tensor {
        if let size = ImageDimensions(of: data), size.pixelCount > maximumPixels {
            throw ServeError(.contentTooLarge, "\(name): the image is \(size.width) x \(size.height) pixels, above the limit of \(maximumPixels)")
        }
        let image: Image
        do { image = try Image(data: data, name: name) } catch let error as ImageError {
            switch error.kind {
            case .empty: throw ServeError(.badRequest, "\(error): send an image (PNG, JPEG, TIFF or BMP) as the body")
            case .unknownFormat: throw ServeError(.unsupportedMediaType, "\(error)")
            default: throw ServeError(.unprocessableContent, "\(error)")
            }
        }
        let tensor = image.toTensor()
        return image.hasAlpha ? try tensor.sliced(axis: 1, range: 0..<(image.channels - 1)) : tensor
    }

    /// `name=value` (quotes removed) from a header value's `;`-separated parameters.
    static func parameter(_ name: String, of header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// The content and file name of the first part whose `Content-Disposition` names a filename.
    private static func firstFilePart(of body: Data, boundary: String) -> (Data, String)? {
        let delimiter = Data("--\(boundary)".utf8), headerEnd = Data("\r\n\r\n".utf8)
        var cursor = body.startIndex
        while let start = body.range(of: delimiter, in: cursor..<body.endIndex) {
            guard let headers = body.range(of: headerEnd, in: start.upperBound..<body.endIndex) else { return nil }
            let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headers.upperBound..<body.endIndex)
            let headerText = String(decoding: body[start.upperBound..<headers.lowerBound], as: UTF8.self)
            let disposition = headerText.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition") }
            if let disposition, let file = parameter("filename", of: String(disposition)) {
                return (Data(body[headers.upperBound..<(next?.lowerBound ?? body.endIndex)]), file.isEmpty ? "the uploaded file" : file)
            }
            guard let next else { return nil }
            cursor = next.lowerBound + 2
        }
        return nil
    }
}
