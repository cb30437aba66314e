/// A detector could not be fitted, scored, saved or loaded; the message says why and what to do.
public enum DetectorError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case noTrainingImages
    case unknownDetector(String, known: [String])
    case modelFile(path: String, problem: String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        case .noTrainingImages: "no normal training images: a detector is fitted on normal images only"
        case .unknownDetector(let name, let known):
            "unknown detector '\(name)'; known detectors: \(known.joined(separator: ", "))"
        case .modelFile(let path, let problem): "\(path): \(problem)"
        }
    }
}
