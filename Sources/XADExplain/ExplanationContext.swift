import Foundation
import XADDetect

/// What some explainers need besides the detector and the image: the normal images the detector
/// was fitted on (healing, nearest-normal exemplars, a nearest-normal baseline) and folders of
/// concept examples (concept activation vectors).
///
/// Explainers that use it conform to ``ContextualExplainer``; the CLI and reports hand the same
/// context to every method with ``Explainers/configured(_:with:)``.
///
/// ```swift
/// let context = ExplanationContext(normalImages: model.trainingImages, conceptFolder: concepts)
/// let explainers = Explainers.configured(Explainers.all, with: context)
/// ```
public struct ExplanationContext: Sendable {
    /// The detector's training images in fitting order: ``PatchLocation/image`` indexes them.
    public var normalImages: (any ImageSource)?
    /// A folder with one sub-folder of example images per concept (and random sets whose names
    /// start with `random`), for concept explanations.
    public var conceptFolder: URL?

    public init(normalImages: (any ImageSource)? = nil, conceptFolder: URL? = nil) {
        self.normalImages = normalImages
        self.conceptFolder = conceptFolder
    }
}

/// An explainer that can use an ``ExplanationContext``; without one it explains what it can or
/// throws ``ExplainerError/invalidOption(_:)`` saying what is missing.
public protocol ContextualExplainer: Explainer {
    /// The same explainer, using `context`.
    func using(_ context: ExplanationContext) -> Self
}

/// A ``ContextualExplainer`` that keeps the whole context as a property, so ``using(_:)`` is
/// just a copy with the property replaced.
public protocol ContextStoringExplainer: ContextualExplainer {
    /// The context the explainer was given (empty by default).
    var context: ExplanationContext { get set }
}

extension ContextStoringExplainer {
    public func using(_ context: ExplanationContext) -> Self {
        var copy = self
        copy.context = context
        return copy
    }
}
