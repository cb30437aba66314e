import Foundation
import XADDetect
import XADImage
import XADTensor

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
    /// The detector's training images in fitting order: `PatchLocation.image` indexes them.
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
/// throws ``ExplainerError/notApplicable(method:reason:)`` saying what is missing (its
/// ``Explainer/unmetNeeds(of:)`` says so before any work).
public protocol ContextualExplainer: Explainer {
    /// The same explainer, using `context`.
    func using(_ context: ExplanationContext) -> Self
}

/// A ``ContextualExplainer`` that keeps the whole context as a property, so ``ContextualExplainer/using(_:)`` is
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

extension ExplanationContext {
    /// Why an explainer that needs the detector's training images cannot run (nil when given).
    var missingNormalImages: String? {
        normalImages == nil ? "it needs the detector's normal training images: load a model that records them (models fitted by `xad fit` do) or give ExplanationContext.normalImages" : nil
    }

    /// ``normalImages``, or ``ExplainerError/notApplicable(method:reason:)`` saying `method`
    /// needs them.
    func requiredNormalImages(method: String) throws -> any ImageSource {
        guard let normalImages else {
            throw ExplainerError.notApplicable(method: method, reason: missingNormalImages ?? "")
        }
        return normalImages
    }

    /// The normal training image at `index`, resampled (bilinear, antialiased) to `size` and given
    /// `channels` channels (gray repeated, or RGB averaged), so its pixels line up with the
    /// explained image's.
    /// - Throws: ``ExplainerError/notApplicable(method:reason:)`` when there are no normal images;
    ///   ``ExplainerError/invalidInput(_:)`` when there is none at `index` (they are not the ones
    ///   the detector was fitted on) or it has an unusable shape; the loading error otherwise.
    func normalImage(_ index: Int, resizedTo size: Size2, channels: Int, method: String) throws -> Tensor {
        let normalImages = try requiredNormalImages(method: method)
        guard (0..<normalImages.count).contains(index) else {
            throw ExplainerError.invalidInput("\(method): the detector refers to training image \(index) but \(normalImages.count) normal images were given; give the images the model was fitted on, in order")
        }
        var image = try normalImages.image(at: index)
        guard image.rank == 4 else { throw ExplainerError.invalidInput("\(method): normal image \(index) is \(image.shape), not [1, C, H, W]") }
        if image.shape[1] != channels {
            switch (image.shape[1], channels) {
            case (1, 3): image = try image.grayscaleToRGB()
            case (3, 1): image = try image.mean(axes: [1], keepingDimensions: true)
            default: throw ExplainerError.invalidInput("\(method): normal image \(index) has \(image.shape[1]) channels, the explained image \(channels)")
            }
        }
        guard image.shape[2] != size.height || image.shape[3] != size.width else { return image }
        return try image.resampled(to: size, filter: .bilinear, antialias: true)
    }
}
