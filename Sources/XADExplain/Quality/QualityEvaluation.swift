import XADDetect
import XADMetrics
import XADTensor

/// Every quality measure of one explanation method over a set of images with defect masks: the
/// table `xad explain-eval` prints.
///
/// ```swift
/// let evaluation = QualityEvaluation(robustnessSamples: 3)
/// let report = try evaluation.evaluate(Occlusion(), detector: model, images: images, masks: masks)
/// report.means["pointing_game"]
/// ```
public struct QualityEvaluation: Sendable {
    /// What is explained. Default the image score.
    public var target: ExplanationTarget
    /// Deletion/insertion and faithfulness-correlation settings.
    public var faithfulness: Faithfulness
    /// Max-sensitivity samples per image (each re-runs the explainer); 0 skips the measure. Default 0.
    public var robustnessSamples: Int
    /// Max-sensitivity noise radius. Default 0.02.
    public var robustnessRadius: Float

    /// The model-parameter randomisation check; `nil` (the default) skips it. Each level re-runs
    /// the explainer once per image on the randomised detector.
    public var randomisation: ModelRandomisation?

    public init(target: ExplanationTarget = .imageScore, faithfulness: Faithfulness = Faithfulness(),
                robustnessSamples: Int = 0, robustnessRadius: Float = 0.02, randomisation: ModelRandomisation? = nil) {
        self.target = target
        self.faithfulness = faithfulness
        self.robustnessSamples = robustnessSamples
        self.robustnessRadius = robustnessRadius
        self.randomisation = randomisation
    }

    /// One method's measures: per image, their means, and the pooled pixel AUROC and AUPRO.
    public struct MethodReport: Sendable, Codable, Equatable {
        public var method: String
        /// Image name to measure name to value.
        public var perImage: [String: [String: Double]]
        /// Measure name to its mean over the images.
        public var means: [String: Double]
        /// Mean seconds per explanation.
        public var secondsPerImage: Double
    }

    /// The measure names in table order. `randomisation` is the rank correlation with the
    /// explanation of the most randomised model; each level's is also kept, as
    /// `randomisation_<taps>` (e.g. `randomisation_stage3+stage2`).
    public static let measureNames = [
        "pixel_auroc", "aupro", "pointing_game", "relevance_mass", "relevance_rank", "deletion_auc", "insertion_auc",
        "faithfulness_correlation", "max_sensitivity", "sparseness", "entropy", "randomisation",
    ]

    /// Explains each image with `explainer` and measures the explanation against its mask.
    /// - Parameters:
    ///   - explainer: the method measured.
    ///   - detector: the detector whose score it explains.
    ///   - images: `(name, [1, C, H, W] image, [H, W] mask)`; each mask needs a defect pixel.
    ///   - progress: called after each image with (done, total).
    public func evaluate(_ explainer: any Explainer, detector: any AnomalyDetector,
                         images: [(name: String, image: Tensor, mask: DefectMask)],
                         progress: (Int, Int) -> Void = { _, _ in }) throws -> MethodReport {
        guard !images.isEmpty else { throw QualityError("no images with defect masks to evaluate explanations on") }
        var perImage: [String: [String: Double]] = [:]
        var maps: [Tensor] = [], masks: [DefectMask] = []
        var seconds = 0.0
        let randomised = try randomisation?.detectors(for: detector) ?? []
        for (done, item) in images.enumerated() {
            let clock = ContinuousClock.now
            let map = try explainer.explain(detector, image: item.image, target: target).map
            seconds += clock.secondsElapsed
            // A measure undefined for this map (e.g. the relevance mass of an all-zero map) is left
            // out of the image's values and of the mean, as the correlations below are.
            var values: [String: Double] = [:]
            values["pointing_game"] = try? Localisation.pointingGame(map, mask: item.mask)
            values["relevance_mass"] = try? Localisation.relevanceMassAccuracy(map, mask: item.mask)
            values["relevance_rank"] = try? Localisation.relevanceRankAccuracy(map, mask: item.mask)
            values["sparseness"] = try? Complexity.sparseness(map)
            values["entropy"] = try? Complexity.entropy(map)
            let curves = try faithfulness.deletionInsertion(detector, image: item.image, map: map, target: target)
            values["deletion_auc"] = curves.deletionArea
            values["insertion_auc"] = curves.insertionArea
            // An explanation or score that does not vary has no defined correlation; leave it out.
            values["faithfulness_correlation"] = try? faithfulness.correlation(detector, image: item.image, map: map, target: target)
            if robustnessSamples > 0 {
                values["max_sensitivity"] = try Robustness.maxSensitivity(image: item.image, samples: robustnessSamples,
                                                                          radius: robustnessRadius) { input in
                    try explainer.explain(detector, image: input, target: target).map
                }
            }
            if !randomised.isEmpty {
                let randomisedMaps = try randomised.map { try explainer.explain($0.detector, image: item.image, target: target).map }
                // A constant explanation has no ranking to keep; leave the measure out, as above.
                let correlations = (try? Randomisation.rankCorrelations(original: map, randomised: randomisedMaps)) ?? []
                for (level, correlation) in zip(randomised, correlations) {
                    values["randomisation_" + level.randomisedTaps.joined(separator: "+")] = correlation
                }
                values["randomisation"] = correlations.last
            }
            perImage[item.name] = values
            maps.append(map)
            masks.append(item.mask)
            progress(done + 1, images.count)
        }
        var means: [String: Double] = [:]
        for name in Set(perImage.values.flatMap(\.keys)) {
            let values = perImage.values.compactMap { $0[name] }
            if !values.isEmpty { means[name] = values.reduce(0, +) / Double(values.count) }
        }
        let pixel = try Localisation.pixelMetrics(maps, masks: masks)
        means["pixel_auroc"] = pixel.auroc
        means["aupro"] = pixel.aupro
        return MethodReport(method: type(of: explainer).name, perImage: perImage, means: means,
                            secondsPerImage: seconds / Double(images.count))
    }
}
