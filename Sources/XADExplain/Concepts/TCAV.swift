import Foundation
import XADDetect
import XADTensor

/// Testing with concept activation vectors (TCAV, Kim et al. 2018) on the anomaly target: how much
/// does the score rise when the backbone's activation moves toward "crack" or "blowhole"?
///
/// For each concept of the context's concept folder (``ConceptSets``) it trains one
/// ``ConceptActivationVector`` per random set at the tap, takes the directional derivative of the
/// target along each (``ConceptSensitivity``) and tests them against random-vs-random vectors'.
/// The explanation's values are, per concept,
/// `concept.<name>.sensitivity` (mean directional derivative), `concept.<name>.p_value` and
/// `concept.<name>.significant` (1 when `p < alpha`, else 0). The map is the per-position
/// directional derivative `Σ_k G_kij v_k` along the mean vector of the concept with the largest
/// sensitivity among the significant ones (among all when none is), resized bilinearly to the
/// image: where the concept, as the detector sees it, raises the target. `options["concept"]`
/// names that concept.
///
/// The folder is read, and the vectors trained, once per explainer value, folder, tap and
/// backbone: later calls reuse them after checking that the detector still gives the cached
/// activation for the folder's first image (so a changed backbone, as in the randomisation test,
/// retrains).
///
/// ```swift
/// let tcav = TCAV().using(ExplanationContext(conceptFolder: URL(fileURLWithPath: "concepts")))
/// let explanation = try tcav.explain(padim, image: image, target: .imageScore)
/// explanation.values["concept.crack.p_value"]
/// ```
public struct TCAV: ContextualExplainer {
    public static let name = "tcav"

    /// The folder of concept examples; nil until given through ``using(_:)`` or here.
    public var conceptFolder: URL?
    /// The backbone tap; nil (the default) takes the coarsest of the detector's layers.
    public var layer: String?
    /// Random sets a single random sub-folder is split into. Default 10.
    public var randomSetCount: Int
    /// The significance level for `concept.<name>.significant`. Default 0.05.
    public var alpha: Double
    /// The classifiers' inverse regularisation `C`. Default 1 (scikit-learn's).
    public var inverseRegularisation: Double
    /// The seed of the random-set split. Default 0.
    public var seed: UInt64

    private let cache = ConceptVectorCache()

    public init(conceptFolder: URL? = nil, layer: String? = nil, randomSetCount: Int = 10, alpha: Double = 0.05,
                inverseRegularisation: Double = 1, seed: UInt64 = 0) {
        self.conceptFolder = conceptFolder
        self.layer = layer
        self.randomSetCount = randomSetCount
        self.alpha = alpha
        self.inverseRegularisation = inverseRegularisation
        self.seed = seed
    }

    public func using(_ context: ExplanationContext) -> TCAV {
        var configured = self
        configured.conceptFolder = context.conceptFolder ?? conceptFolder
        return configured
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        let analysis = try analyse(detector, image: image, target: target)
        let sensitivities = try analysis.vectors.sensitivities(gradient: analysis.gradient)
        let significant = sensitivities.filter { $0.isSignificant(alpha: alpha) }
        guard let shown = (significant.isEmpty ? sensitivities : significant).max(by: { $0.sensitivity < $1.sensitivity }) else {
            throw ExplainerError.invalidOption("the concept folder gave no concepts")
        }
        let map = try analysis.vectors.positionalSensitivity(of: shown.concept, gradient: analysis.gradient)
            .relevanceMap(resizedTo: image.imageSize)
        var values: [String: Double] = [:]
        for result in sensitivities {
            values["concept.\(result.concept).sensitivity"] = result.sensitivity
            values["concept.\(result.concept).p_value"] = result.pValue
            values["concept.\(result.concept).significant"] = result.isSignificant(alpha: alpha) ? 1 : 0
        }
        return Explanation(method: Self.name, map: map, target: target, targetValue: analysis.targetValue, values: values,
                           options: ["layer": analysis.vectors.layer, "concept": shown.concept,
                                     "concepts": analysis.folder.path,
                                     "random_sets": "\(analysis.vectors.concepts[shown.concept]?.count ?? 0)",
                                     "alpha": "\(alpha)", "seed": "\(seed)"])
    }

    /// Each concept's sensitivity for one image (`[1, C, H, W]` in 0...1), in name order.
    public func sensitivities(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> [ConceptSensitivity] {
        let analysis = try analyse(detector, image: image, target: target)
        return try analysis.vectors.sensitivities(gradient: analysis.gradient)
    }

    /// Each concept's TCAV score over `images`, in name order.
    public func scores(_ detector: any AnomalyDetector, images: [Tensor], target: ExplanationTarget) throws -> [TCAVScore] {
        let analyses = try images.map { try analyse(detector, image: $0, target: target) }
        guard let vectors = analyses.first?.vectors else { throw ExplainerError.invalidOption("TCAV scores need at least one image") }
        return try vectors.scores(gradients: analyses.map(\.gradient))
    }

    /// The concept vectors at `layer` of `detector` (read and trained once, then cached).
    public func conceptVectors(for detector: any DifferentiableDetector, layer: String) throws -> ConceptActivationVectors {
        let folder = try requiredFolder()
        return try cache.vectors(folder: folder, layer: layer, detector: detector, randomSetCount: randomSetCount, seed: seed,
                                 inverseRegularisation: inverseRegularisation)
    }

    /// The target's gradient at the tap and the concept vectors there.
    private func analyse(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget)
        throws -> (folder: URL, vectors: ConceptActivationVectors, gradient: Tensor, targetValue: Float) {
        let folder = try requiredFolder()
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let evaluation = try function.evaluate(try detector.setup.preprocessing(image), tap: layer.map { .named($0) } ?? .coarsest)
        guard let tap = evaluation.layer, let gradient = evaluation.activationGradient else {
            throw ExplainerError.invalidOption("the detector gave no activation for the TCAV layer")
        }
        return (folder, try conceptVectors(for: function.detector, layer: tap), gradient, evaluation.values[0])
    }

    private func requiredFolder() throws -> URL {
        guard let conceptFolder else {
            throw ExplainerError.invalidOption("tcav needs a folder of concept examples (one sub-folder of images per concept and a random/ sub-folder): pass --concepts DIR")
        }
        return conceptFolder
    }
}
