import XADDetect
import XADExplain

/// Named settings of the costly explainers and quality measures: `quick` (the default) finishes
/// ten images of a small data set in a few minutes on a laptop CPU; `thorough` uses the papers'
/// settings (integrated gradients 50 steps, RISE 4000 masks, SmoothGrad 50 samples, KernelSHAP
/// 2048 coalitions, three randomisation levels) for results to cite. Each benchmark row and each
/// `xad explain-eval` report says which preset made it; options given explicitly override it.
///
/// ```swift
/// BenchmarkPreset.thorough.explainerOptions("rise")   // {"maskCount": 4000}
/// BenchmarkPreset.quick.randomisationLevels           // 1
/// ```
public enum BenchmarkPreset: String, Codable, CaseIterable, Sendable {
    /// Reduced settings: minutes, not hours; differences between methods may fall inside the noise.
    case quick
    /// The papers' settings.
    case thorough

    /// Option overrides per explainer, by registry name.
    private var overrides: [String: [String: JSONValue]] {
        switch self {
        case .quick:
            ["integrated-gradients": ["steps": .number(16)], "rise": ["maskCount": .number(250)],
             "smoothgrad": ["samples": .number(8)], "kernelshap": ["samples": .number(128)],
             "occlusion": ["window": .number(32), "stride": .number(32)], "counterfactual": ["steps": .number(10)]]
        case .thorough:
            ["integrated-gradients": ["steps": .number(50)], "rise": ["maskCount": .number(4000)],
             "smoothgrad": ["samples": .number(50)], "kernelshap": ["samples": .number(2048)],
             "occlusion": ["window": .number(32), "stride": .number(16)], "counterfactual": ["steps": .number(20)]]
        }
    }

    /// The preset's options for the explainer called `name` (none for a method it does not tune).
    public func explainerOptions(_ name: String) -> OptionOverrides {
        OptionOverrides(overrides[name] ?? [:])
    }

    /// Defect images explained per data set.
    public var images: Int { self == .quick ? 10 : 100 }

    /// Deletion/insertion steps and faithfulness-correlation runs per image.
    public var faithfulness: Faithfulness {
        self == .quick ? Faithfulness(steps: 10, correlationRuns: 20) : Faithfulness(steps: 20, correlationRuns: 100)
    }

    /// Model-parameter randomisation levels (one re-explanation per level and image).
    public var randomisationLevels: Int { self == .quick ? 1 : 3 }

    /// Bootstrap resamples of the pooled pixel AUROC and AUPRO (each recomputes them over every
    /// test pixel: minutes on a large set); 0 records them without an interval.
    public var pixelBootstrapResamples: Int { self == .quick ? 0 : 200 }

    /// Max-sensitivity samples per image (each re-runs the explainer); 0 skips the measure.
    public var robustnessSamples: Int { self == .quick ? 0 : 10 }

    /// The quality evaluation of this preset (randomisation seeded by `seed`).
    public func qualityEvaluation(seed: UInt64, weightsPath: String?) -> QualityEvaluation {
        QualityEvaluation(faithfulness: faithfulness, robustnessSamples: robustnessSamples,
                          randomisation: ModelRandomisation(levels: randomisationLevels, seed: seed, weightsPath: weightsPath))
    }
}
