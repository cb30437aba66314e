import XADTensor
import Foundation

/// What went wrong reading a dataset; every case names the file or folder.
public enum DatasetError: StatusReportingError, CustomStringConvertible, Equatable {
    /// An unknown format name is a wrong request; everything else is bad data.
    public var exitStatus: ExitStatus {
        if case .unknownFormat = self { return .usage }
        return .data
    }

    case missingFolder(URL)
    case emptyFolder(URL, expected: String)
    case noNormalImages(URL)
    case unknownFormat(String, known: [String])
    case unrecognisedLayout(URL, known: [String])
    case unpairedMask(image: URL, expectedMask: URL)
    case malformedAnnotation(URL, line: Int, text: String)
    case malformedSplitFile(URL, line: Int, problem: String)

    public var description: String {
        switch self {
        case .missingFolder(let url):
            "\(url.path): no such folder"
        case .emptyFolder(let url, let expected):
            "\(url.path): no images found (expected \(expected))"
        case .noNormalImages(let url):
            "\(url.path): no normal training images: a detector is fitted on normal images only"
        case .unknownFormat(let name, let known):
            "unknown dataset format '\(name)'; known formats: \(known.joined(separator: ", "))"
        case .unrecognisedLayout(let url, let known):
            "\(url.path): not a dataset layout XADKit recognises; pass --format with one of:\n  "
                + known.joined(separator: "\n  ")
        case .unpairedMask(let image, let mask):
            "\(image.path): anomalous image has no mask (looked for \(mask.path))"
        case .malformedAnnotation(let url, let line, let text):
            "\(url.path):\(line): cannot read box '\(text)' (expected 'x1 y1 x2 y2 type')"
        case .malformedSplitFile(let url, let line, let problem):
            "\(url.path):\(line): \(problem)"
        }
    }
}
