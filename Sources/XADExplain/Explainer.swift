import XADDetect
import XADTensor

/// A method that says why a detector scored an image as it did: a map of how much each pixel
/// matters, plus method-specific extras.
///
/// Explainers work on any ``AnomalyDetector``; gradient methods also need the detector to be
/// ``DifferentiableDetector`` and throw ``ExplainerError/notDifferentiable(detector:method:)``
/// otherwise. Registering an explainer is one line in ``Explainers/all``.
///
/// ```swift
/// let explanation = try Occlusion().explain(model, image: image, target: .imageScore)
/// explanation.map.shape   // [H, W], the image's size
/// ```
public protocol Explainer: Sendable {
    /// The registry name, e.g. `"occlusion"`.
    static var name: String { get }
    /// Explains `detector`'s `target` on one image (`[1, C, H, W]` in 0...1, any size).
    func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation
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

/// Why an explanation could not be made.
public enum ExplainerError: Error, CustomStringConvertible, Equatable {
    case notDifferentiable(detector: String, method: String)
    case invalidTarget(String)
    case invalidOption(String)
    case unknownMethod(String, known: [String])

    public var description: String {
        switch self {
        case .notDifferentiable(let detector, let method):
            "\(method) needs gradients of the score, and the \(detector) detector does not provide them; use a perturbation method (occlusion, rise, kernelshap) instead"
        case .invalidTarget(let message): "invalid explanation target: \(message)"
        case .invalidOption(let message): message
        case .unknownMethod(let name, let known): "unknown explanation method '\(name)'; known: \(known.joined(separator: ", "))"
        }
    }
}
