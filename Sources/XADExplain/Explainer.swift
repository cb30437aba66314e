import XADDetect
import XADTensor

/// A method that says why a detector scored an image as it did: a map of how much each pixel
/// matters, plus method-specific extras.
///
/// An explainer is its ``Options`` (a `MethodOptions` struct with documented defaults, read from
/// the command line, configuration files and benchmark grids alike) applied to a detector's score.
/// Explainers work on any `AnomalyDetector` that has what their ``requirements`` name; otherwise
/// ``unmetNeeds(of:)`` says what is missing and ``explain(_:image:target:)`` throws
/// ``ExplainerError/notApplicable(method:reason:)`` (or ``ExplainerError/notDifferentiable(detector:method:)``).
/// Registering an explainer is one line in ``Explainers/builtIn``.
///
/// ```swift
/// let explanation = try Occlusion().explain(model, image: image, target: .imageScore)
/// explanation.map.shape   // [H, W], the image's size
/// ```
public protocol Explainer: Sendable {
    /// The method's options, with documented defaults in `init()`.
    associatedtype Options: MethodOptions

    /// The registry name, e.g. `"occlusion"`.
    static var name: String { get }
    /// One sentence for help texts and reports.
    static var summary: String { get }
    /// What the method needs of a detector and of the explanation context.
    static var requirements: ExplainerRequirements { get }

    /// The options this explainer runs with.
    var options: Options { get }
    /// The explainer with `options` (and an empty context).
    init(options: Options)

    /// Why this explainer, as configured, cannot explain `detector` (nil when it can): a
    /// capability the detector lacks or context the explainer was not given. The default checks
    /// ``Explainer/requirements`` against the detector; explainers that need context add their own checks.
    func unmetNeeds(of detector: any AnomalyDetector) -> String?

    /// Explains `detector`'s `target` on one image (`[1, C, H, W]` in 0...1, any size).
    func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation
}

extension Explainer {
    public static var requirements: ExplainerRequirements { [] }

    /// The explainer with its documented default options.
    public init() { self.init(options: Options()) }

    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        Self.requirements.unmet(by: detector)
    }

    /// Throws ``ExplainerError/notDifferentiable(detector:method:)`` or
    /// ``ExplainerError/notApplicable(method:reason:)`` when ``unmetNeeds(of:)`` names a need.
    public func checkApplicable(to detector: any AnomalyDetector) throws {
        if Self.requirements.contains(.gradients), !(detector is any DifferentiableDetector) {
            throw ExplainerError.notDifferentiable(detector: type(of: detector).name, method: Self.name)
        }
        if let reason = unmetNeeds(of: detector) { throw ExplainerError.notApplicable(method: Self.name, reason: reason) }
    }

    /// The explainer's entry as help texts and catalogues show it.
    public static var methodDescription: MethodDescription {
        MethodDescription(name: name, summary: summary, traits: requirements.words, options: Options.descriptions)
    }
}

/// What an explainer needs of the detector it explains and of the ``ExplanationContext``.
public struct ExplainerRequirements: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Gradients of the score: a `DifferentiableDetector`.
    public static let gradients = ExplainerRequirements(rawValue: 1 << 0)
    /// Each test patch's nearest normal training patch (`DetectorTraits.providesProvenance`).
    public static let provenance = ExplainerRequirements(rawValue: 1 << 1)
    /// Patch features in the detector's own space (a `PatchFeatureDetector`).
    public static let patchFeatures = ExplainerRequirements(rawValue: 1 << 2)
    /// The detector's normal training images (``ExplanationContext/normalImages``).
    public static let normalImages = ExplainerRequirements(rawValue: 1 << 3)
    /// A folder of concept examples (``ExplanationContext/conceptFolder``).
    public static let conceptFolder = ExplainerRequirements(rawValue: 1 << 4)

    /// What `detector` lacks of these requirements, as one sentence; nil when it has them all.
    /// (Context requirements are checked by the explainer, which holds the context.)
    public func unmet(by detector: any AnomalyDetector) -> String? {
        let name = type(of: detector).name
        if contains(.gradients), !(detector is any DifferentiableDetector) {
            return "it needs gradients of the score, and the \(name) detector does not provide them"
        }
        if contains(.provenance), !type(of: detector).traits.providesProvenance {
            return "it needs each patch's nearest normal training patch, which memory-bank detectors (patchcore, spade) record and the \(name) detector does not"
        }
        if contains(.patchFeatures), !(detector is any PatchFeatureDetector) {
            return "it compares patches in the detector's feature space, and the \(name) detector has no patch features"
        }
        return nil
    }

    /// The requirements in a few words each, for help texts.
    public var words: [String] {
        [(ExplainerRequirements.gradients, "needs gradients"), (.provenance, "needs nearest normal patches"),
         (.patchFeatures, "needs patch features"), (.normalImages, "needs training images"),
         (.conceptFolder, "needs a concept folder")].filter { contains($0.0) }.map(\.1)
    }
}

/// What an explanation explains: which number computed from the detector's output.
public enum ExplanationTarget: Sendable, Hashable, Codable {
    /// The image's anomaly score.
    case imageScore
    /// The mean of the anomaly map over a rectangle of the image (pixel coordinates, `x1, y1`
    /// inclusive, `x2, y2` exclusive).
    case region(x1: Int, y1: Int, x2: Int, y2: Int)
    /// The mean of the `k` largest anomaly-map values.
    case topK(Int)
}

/// An explanation: a relevance map at the image's size and whatever else the method produced.
public struct Explanation: Sendable {
    /// The method's registry name.
    public var method: String
    /// Relevance per pixel, `[H, W]` at the explained image's size; larger means more
    /// responsible for the target.
    public var map: Tensor
    /// The target explained and its value on the image.
    public var target: ExplanationTarget
    public var targetValue: Float
    /// Extra images by name (e.g. "counterfactual", "difference"), `[1, C, H, W]`.
    public var images: [String: Tensor]
    /// Extra numbers by name (e.g. concept sensitivities).
    public var values: [String: Double]
    /// The options used, as text for reports.
    public var options: [String: String]

    public init(method: String, map: Tensor, target: ExplanationTarget, targetValue: Float,
                images: [String: Tensor] = [:], values: [String: Double] = [:], options: [String: String] = [:]) {
        self.method = method
        self.map = map
        self.target = target
        self.targetValue = targetValue
        self.images = images
        self.values = values
        self.options = options
    }
}

/// Why an explanation could not be made. Each case says its own `ExitStatus`.
public enum ExplainerError: StatusReportingError, Equatable {
    /// The method needs gradients of the score and the detector gives none (usage).
    case notDifferentiable(detector: String, method: String)
    /// The method cannot explain this detector or lacks context it needs, e.g. training images
    /// or a concept folder (usage): `reason` says what is missing and how to give it.
    case notApplicable(method: String, reason: String)
    /// The explanation target does not fit the image (usage).
    case invalidTarget(String)
    /// An option value the method cannot use (usage).
    case invalidOption(String)
    /// Input the method cannot use: non-finite values, a wrong size, unreadable context images (data).
    case invalidInput(String)
    /// A computation on the data failed, e.g. a singular system or non-finite values (data).
    case numericalFailure(String)
    /// No explainer is registered under this name (usage).
    case unknownMethod(String, known: [String])

    public var exitStatus: ExitStatus {
        switch self {
        case .notDifferentiable, .notApplicable, .invalidTarget, .invalidOption, .unknownMethod: .usage
        case .invalidInput, .numericalFailure: .data
        }
    }

    public var description: String {
        switch self {
        case .notDifferentiable(let detector, let method):
            "\(method) needs gradients of the score, and the \(detector) detector does not provide them; use a perturbation method (occlusion, rise, kernelshap) instead"
        case .notApplicable(let method, let reason): "\(method) does not apply here: \(reason)"
        case .invalidTarget(let message): "invalid explanation target: \(message)"
        case .invalidOption(let message), .invalidInput(let message), .numericalFailure(let message): message
        case .unknownMethod(let name, let known): "unknown explanation method '\(name)'; known: \(known.joined(separator: ", "))"
        }
    }
}
