import XADDetect
import XADTensor

/// Runs a set of explainers over images one at a time, timing each method, and drops a method
/// for the rest of the run once it fails: a method that cannot explain this detector (no
/// gradients, no recorded training images) will not explain the next image either.
///
/// What `xad explain` and the HTML report share: the report drops failing methods quietly and
/// lists why; the command warns, and stops instead when it was given a single method.
///
/// ```swift
/// var run = ExplanationRun(explainers: Explainers.configured(Explainers.all, with: context))
/// for image in images {
///     let step = try run.explain(model.detector, image: image, target: .imageScore)
///     for dropped in step.dropped { print("skipping \(dropped.method): \(dropped.reason)") }
/// }
/// ```
public struct ExplanationRun: Sendable {
    /// The methods still in the run.
    public private(set) var explainers: [any Explainer]
    /// Every method dropped so far and why, in the order they failed.
    public private(set) var unavailable: [DroppedMethod] = []
    /// Whether a failing method is dropped (true) or its error thrown (false). Default true.
    public var dropsFailingMethods: Bool

    public init(explainers: [any Explainer], dropsFailingMethods: Bool = true) {
        self.explainers = explainers
        self.dropsFailingMethods = dropsFailingMethods
    }

    /// Records a method that could not even be set up (e.g. a name the registry lacks).
    public mutating func recordUnavailable(_ method: String, reason: String) {
        unavailable.append(DroppedMethod(method: method, reason: reason))
    }

    /// Every remaining method's explanation of `detector`'s `target` on `image` with its seconds,
    /// and the methods dropped on this image. A map or extra image holding NaN or infinity
    /// counts as a failure (``ExplainerError/numericalFailure(_:)``).
    /// - Throws: the method's error when ``dropsFailingMethods`` is false.
    public mutating func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget)
        throws -> (explanations: [TimedExplanation], dropped: [DroppedMethod])
    {
        var explanations: [TimedExplanation] = [], dropped: [DroppedMethod] = []
        for explainer in explainers {
            let method = type(of: explainer).name
            let started = ContinuousClock.now
            do {
                let explanation = try explainer.explain(detector, image: image, target: target)
                guard ([explanation.map] + explanation.images.values).allSatisfy({ $0.scalars.allSatisfy(\.isFinite) }) else {
                    throw ExplainerError.numericalFailure("\(method) gave a map or image holding NaN or infinity")
                }
                explanations.append(TimedExplanation(explanation: explanation, seconds: started.secondsElapsed))
            } catch {
                guard dropsFailingMethods else { throw error }
                dropped.append(DroppedMethod(method: method, reason: "\(error)"))
            }
        }
        let names = Set(dropped.map(\.method))
        explainers.removeAll { names.contains(type(of: $0).name) }
        unavailable += dropped
        return (explanations, dropped)
    }
}

/// An explanation and the seconds it took.
public struct TimedExplanation: Sendable {
    public var explanation: Explanation
    public var seconds: Double
}

/// A method left out of an ``ExplanationRun`` and why.
public struct DroppedMethod: Sendable, Equatable {
    public var method: String
    public var reason: String
}
