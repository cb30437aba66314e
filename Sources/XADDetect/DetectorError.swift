import XADTensor

/// A detector could not be fitted, scored, saved or loaded; the message says why and what to do.
///
/// Each case says its own `ExitStatus`: a caller can tell a bad option (fix the request) from
/// bad data or a corrupt model file (fix the file) from a numerical failure on the data.
public enum DetectorError: StatusReportingError, Equatable {
    /// An option value the detector cannot use (usage).
    case invalidOption(String)
    /// Input the detector cannot use: non-finite values, a wrong size or channel count, an input
    /// that does not match what the model was fitted on (data).
    case invalidInput(String)
    /// Statistics that cannot be computed from the data, e.g. a covariance that is not positive
    /// definite, or a score that came out non-finite (data).
    case numericalFailure(String)
    /// The fitting context lacks what the detector needs, e.g. a backbone or clips (usage).
    case missingRequirement(String)
    /// No normal training images (data).
    case noTrainingImages
    /// No detector is registered under this name (usage).
    case unknownDetector(String, known: [String])
    /// A model file that is truncated, foreign, damaged or does not fit its detector (data).
    case modelFile(path: String, problem: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidOption, .unknownDetector, .missingRequirement: .usage
        case .invalidInput, .numericalFailure, .noTrainingImages, .modelFile: .data
        }
    }

    public var description: String {
        switch self {
        case .invalidOption(let message), .invalidInput(let message), .numericalFailure(let message),
             .missingRequirement(let message):
            message
        case .noTrainingImages: "no normal training images: a detector is fitted on normal images only"
        case .unknownDetector(let name, let known):
            "unknown detector '\(name)'; known detectors: \(known.joined(separator: ", "))"
        case .modelFile(let path, let problem): "\(path): \(problem)"
        }
    }
}
