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
    /// TCAV's options.
    public struct Options: MethodOptions {
        /// The backbone tap, e.g. `"stage3"`; nil (the default) takes the coarsest of the
        /// detector's layers.
        public var layer: String?
        /// Random sets a single random sub-folder is split into. Default 10.
        public var randomSetCount = 10
        /// The significance level for `concept.<name>.significant`. Default 0.05.
        public var alpha = 0.05
        /// The classifiers' inverse regularisation `C`. Default 1 (scikit-learn's).
        public var inverseRegularisation = 1.0
        /// The seed of the random-set split. Default 0.
        public var seed: UInt64 = 0

        public init() {}

        public static let help = [
            OptionHelp("layer", "backbone tap, e.g. stage3 (none: the coarsest of the detector's layers)"),
            OptionHelp("randomSetCount", "random sets a single random/ sub-folder is split into (at least 2)"),
            OptionHelp("alpha", "significance level of the concept tests, in (0, 1)"),
            OptionHelp("inverseRegularisation", "the concept classifiers' inverse regularisation C"),
            OptionHelp("seed", "seed of the random-set split"),
        ]

        public func validate(method: String) throws {
            guard randomSetCount >= 2 else {
                throw OptionError.invalidValue(method: method, message: "randomSetCount must be at least 2, got \(randomSetCount)")
            }
            guard alpha > 0, alpha < 1 else { throw OptionError.invalidValue(method: method, message: "alpha must be in (0, 1), got \(alpha)") }
            guard inverseRegularisation > 0, inverseRegularisation.isFinite else {
                throw OptionError.invalidValue(method: method, message: "inverseRegularisation must be positive and finite, got \(inverseRegularisation)")
            }
        }
    }

    public static let name = "tcav"
    public static let summary = "Tests how much the target rises along concept directions (e.g. crack) learnt from a folder of concept examples."
    public static let requirements: ExplainerRequirements = [.gradients, .conceptFolder]

    public var options: Options
    /// The folder of concept examples; nil until given through ``using(_:)`` or here.
    public var conceptFolder: URL?

    private let cache = ConceptVectorCache()

    /// How many times this value and its copies trained concept vectors (reuses of cached
    /// vectors do not count): what a randomisation check across levels costs beyond its gradients.
    public var conceptVectorTrainings: Int { cache.trainings }

    public init(options: Options) {
        self.options = options
        conceptFolder = nil
    }

    /// TCAV with these settings (see ``Options``) on the concepts in `conceptFolder`.
    public init(conceptFolder: URL? = nil, layer: String? = nil, randomSetCount: Int = 10, alpha: Double = 0.05,
                inverseRegularisation: Double = 1, seed: UInt64 = 0) {
        self.init(options: Options())
        self.conceptFolder = conceptFolder
        options.layer = layer
        options.randomSetCount = randomSetCount
        options.alpha = alpha
        options.inverseRegularisation = inverseRegularisation
        options.seed = seed
    }

    public func using(_ context: ExplanationContext) -> TCAV {
        var configured = self
        configured.conceptFolder = context.conceptFolder ?? conceptFolder
        return configured
    }

    /// Gradients, and a concept folder.
    public func unmetNeeds(of detector: any AnomalyDetector) -> String? {
        Self.requirements.unmet(by: detector) ?? (conceptFolder == nil ? Self.missingFolder : nil)
    }

    private static let missingFolder = "it needs a folder of concept examples (one sub-folder of images per concept and a random/ sub-folder): pass --concepts DIR or give ExplanationContext.conceptFolder"

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        let analysis = try analyse(detector, image: image, target: target)   // checks applicability and options first
        let alpha = options.alpha
        let sensitivities = try analysis.vectors.sensitivities(gradient: analysis.gradient)
        let significant = sensitivities.filter { $0.isSignificant(alpha: alpha) }
        guard let shown = (significant.isEmpty ? sensitivities : significant).max(by: { $0.sensitivity < $1.sensitivity }) else {
            throw ExplainerError.invalidInput("the concept folder gave no concepts")
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
                                     "alpha": "\(alpha)", "seed": "\(options.seed)"])
    }

    /// Each concept's sensitivity for one image (`[1, C, H, W]` in 0...1), in name order.
    public func sensitivities(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> [ConceptSensitivity] {
        let analysis = try analyse(detector, image: image, target: target)
        return try analysis.vectors.sensitivities(gradient: analysis.gradient)
    }

    /// Each concept's TCAV score over `images`, in name order.
    public func scores(_ detector: any AnomalyDetector, images: [Tensor], target: ExplanationTarget) throws -> [TCAVScore] {
        let analyses = try images.map { try analyse(detector, image: $0, target: target) }
        guard let vectors = analyses.first?.vectors else { throw ExplainerError.invalidInput("TCAV scores need at least one image") }
        return try vectors.scores(gradients: analyses.map(\.gradient))
    }

    /// The concept vectors at `layer` of `detector` (read and trained once, then cached).
    public func conceptVectors(for detector: any DifferentiableDetector, layer: String) throws -> ConceptActivationVectors {
        let folder = try requiredFolder()
        return try cache.vectors(folder: folder, layer: layer, detector: detector, randomSetCount: options.randomSetCount,
                                 seed: options.seed, inverseRegularisation: options.inverseRegularisation)
    }

    /// The target's gradient at the tap and the concept vectors there, after checking that TCAV
    /// applies and its options are valid.
    private func analyse(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget)
        throws -> (folder: URL, vectors: ConceptActivationVectors, gradient: Tensor, targetValue: Float) {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let folder = try requiredFolder()
        let function = try DifferentiableTarget(detector, target: target, imageSize: image.imageSize, method: Self.name)
        let evaluation = try function.evaluate(try detector.setup.preprocessing(image), tap: options.layer.map { .named($0) } ?? .coarsest)
        guard let tap = evaluation.layer, let gradient = evaluation.activationGradient else {
            throw ExplainerError.notApplicable(method: Self.name, reason: "the detector gave no activation for the TCAV layer")
        }
        return (folder, try conceptVectors(for: function.detector, layer: tap), gradient, evaluation.values[0])
    }

    private func requiredFolder() throws -> URL {
        guard let conceptFolder else { throw ExplainerError.notApplicable(method: Self.name, reason: Self.missingFolder) }
        return conceptFolder
    }
}
