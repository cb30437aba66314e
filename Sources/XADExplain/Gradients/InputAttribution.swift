import XADDetect
import XADImage
import XADTensor

/// A gradient method that attributes the target to each element of the prepared input; the map
/// is the attributions summed over channels (of their absolute values for saliency), resized
/// (bilinear) from the model's resolution to the image's. ``SmoothGrad`` averages any of them.
public protocol InputAttribution: Explainer {
    /// Attributions `[1, 3, h, w]` of `function`'s target at the prepared `input`, and the
    /// target's value there when the method evaluated it anyway; `image` is the explained image
    /// itself (`[1, C, H, W]` in 0...1), from which baselines are made.
    func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?)
    /// Whether the map sums absolute attributions (Captum's `Saliency(abs=True)`) rather than
    /// signed ones.
    var sumsAbsoluteValues: Bool { get }
    /// The options, as text for reports.
    var optionSummary: [String: String] { get }
}

extension InputAttribution {
    public static var requirements: ExplainerRequirements { .gradients }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let input = try detector.setup.preprocessing(image)
        let (attributions, value) = try self.attributions(function, input: input, image: image)
        return Explanation(method: Self.name, map: try channelSum(attributions).relevanceMap(resizedTo: image.imageSize),
                           target: target, targetValue: try value ?? function.values(input)[0], options: optionSummary)
    }

    /// Attributions `[1, C, h, w]` summed over channels (absolute values first when
    /// ``sumsAbsoluteValues``) -> `[h, w]`.
    func channelSum(_ attributions: Tensor) throws -> Tensor {
        try (sumsAbsoluteValues ? attributions.abs() : attributions).sum(axes: [0, 1])
    }
}

/// Saliency (Simonyan et al. 2014): the absolute gradient of the target with respect to the
/// input, `|∂t/∂x|`, summed over channels; Captum's `Saliency` with its default `abs=True`.
public struct Saliency: InputAttribution {
    public static let name = "saliency"
    public static let summary = "The absolute gradient of the target with respect to each input pixel, summed over channels."
    /// Saliency has no options.
    public let options: NoOptions

    public init(options: NoOptions) { self.options = options }

    public func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?) {
        let evaluation = try function.evaluate(input)
        return (evaluation.inputGradient, evaluation.values[0])
    }

    public var sumsAbsoluteValues: Bool { true }
    public var optionSummary: [String: String] { [:] }
}

/// Gradient x input: `x · ∂t/∂x` (on the prepared input), summed over channels; signed.
public struct GradientTimesInput: InputAttribution {
    public static let name = "gradient-x-input"
    public static let summary = "The input times the target's gradient with respect to it, summed over channels (signed)."
    /// Gradient x input has no options.
    public let options: NoOptions

    public init(options: NoOptions) { self.options = options }

    public func attributions(_ function: DifferentiableTarget, input: Tensor, image: Tensor) throws -> (Tensor, value: Float?) {
        let evaluation = try function.evaluate(input)
        return (try input * evaluation.inputGradient, evaluation.values[0])
    }

    public var sumsAbsoluteValues: Bool { false }
    public var optionSummary: [String: String] { [:] }
}
