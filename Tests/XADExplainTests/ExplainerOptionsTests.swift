import Foundation
import Testing
import XADDetect
import XADExplain
import XADTensor

/// Every built-in explainer's options: JSON round trips, `--set key=value` changes exactly that
/// key, help documents every key, and bad keys, types and values are option errors naming them.
@Suite("Explainer options")
struct ExplainerOptionsTests {
    /// One valid non-default setting per option key of each built-in explainer, applied on top of
    /// `base` (SmoothGrad's `baseOptions` need a base method that takes them). A new explainer or
    /// option without a row here fails `everyKeyHasASampleSetting`.
    static let samples: [String: (base: [String], settings: [String])] = [
        "saliency": ([], []),
        "gradient-x-input": ([], []),
        "integrated-gradients": ([], ["steps=8", "baseline=nearest-normal", "blurSigma=5", "batchSize=4"]),
        "smoothgrad": (["base=integrated-gradients"],
                       ["base=gradient-x-input", #"baseOptions={"steps":8}"#, "samples=4", "noiseLevel=0.1", "seed=3"]),
        "grad-cam": ([], ["layer=stage1"]),
        "grad-cam++": ([], ["layer=stage1"]),
        "score-cam": ([], ["layer=stage1", "batchSize=4"]),
        "occlusion": ([], ["window=8", "stride=4", "baseline=constant", "baselineSigma=2", "baselineValue=0.5", "batchSize=4"]),
        "rise": ([], ["maskCount=10", "gridSize=4", "keepProbability=0.25", "baseline=constant", "baselineSigma=2",
                      "baselineValue=0.5", "seed=3", "batchSize=4"]),
        "kernelshap": ([], ["segments=16", "compactness=5", "slicIterations=4", "samples=64", "baseline=constant",
                            "baselineSigma=2", "baselineValue=0.5", "seed=3", "batchSize=4"]),
        "healing": ([], ["quantile=0.75", "threshold=31.5", "feather=0", "sourcing=eachRegion", "matchBrightness=false"]),
        "counterfactual": ([], ["steps=5", "learningRate=0.25", "lambda=0.5", "proximity=squared"]),
        "exemplars": ([], ["count=2", "cropCells=5", "batchSize=4"]),
        "tcav": ([], ["layer=stage2", "randomSetCount=5", "alpha=0.01", "inverseRegularisation=0.5", "seed=3"]),
        "anomaly-map": ([], ["normalise=false"]),
    ]

    /// The options as a JSON object, by key.
    static func encoded(_ options: some MethodOptions) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(options))
    }

    @Test(arguments: Explainers.builtIn.map { $0.name })
    func everyKeyHasASampleSettingAndHelp(method: String) throws {
        let type = try #require(Explainers.builtIn.first { $0.name == method })
        try Self.checkKeys(type)
    }

    static func checkKeys<E: Explainer>(_ type: E.Type) throws {
        let sample = try #require(samples[E.name], "no sample settings for \(E.name)")
        let helpKeys = E.Options.help.map(\.key)
        #expect(Set(helpKeys).count == helpKeys.count, "\(E.name) documents a key twice")
        let encodedKeys = Set(try encoded(E.Options()).keys)
        #expect(encodedKeys.isSubset(of: Set(helpKeys)), "\(E.name) leaves \(encodedKeys.subtracting(helpKeys)) undocumented")
        let sampleKeys = sample.settings.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
        #expect(Set(sampleKeys) == Set(helpKeys), "\(E.name): sample settings for \(sampleKeys), options \(helpKeys)")
        #expect(!E.summary.isEmpty && E.summary.hasSuffix("."))
        #expect(E.methodDescription.options.map(\.key) == helpKeys)
    }

    @Test(arguments: Explainers.builtIn.map { $0.name })
    func optionsRoundTripAndEachSettingChangesOnlyItsKey(method: String) throws {
        let type = try #require(Explainers.builtIn.first { $0.name == method })
        try Self.checkSettings(type)
    }

    static func checkSettings<E: Explainer>(_ type: E.Type) throws {
        let sample = try #require(samples[E.name])
        let defaults = E.Options()
        #expect(try JSONDecoder().decode(E.Options.self, from: JSONEncoder().encode(defaults)) == defaults)
        let base = try defaults.overriding(OptionOverrides(settings: sample.base), method: E.name)
        let before = try encoded(base)
        for setting in sample.settings {
            let overrides = try OptionOverrides(settings: [setting])
            let (key, value) = try #require(overrides.values.first)
            let changed = try base.overriding(overrides, method: E.name)
            #expect(changed != base, "\(E.name) \(setting) changed nothing")
            #expect(try JSONDecoder().decode(E.Options.self, from: JSONEncoder().encode(changed)) == changed)
            var after = try encoded(changed)
            #expect(after[key] == value, "\(E.name) \(setting) gave \(after[key]?.text ?? "none")")
            after[key] = before[key]
            #expect(after == before, "\(E.name) \(setting) changed another key")
            // The registry builds the explainer with the same options.
            let explainer = try Explainers.named(E.name, options: OptionOverrides(settings: sample.base + [setting]))
            #expect((explainer as? E)?.options == changed)
        }
    }

    @Test(arguments: Explainers.builtIn.map { $0.name })
    func unknownKeysAndWrongTypesNameTheKey(method: String) throws {
        #expect(throws: OptionError.unknownKey(method: method, key: "nonsense", known: Self.knownKeys(method))) {
            try Explainers.named(method, options: OptionOverrides(settings: ["nonsense=1"]))
        }
        for setting in try #require(Self.samples[method]).settings {
            let key = String(setting.prefix { $0 != "=" })
            let error = #expect(throws: OptionError.self) {
                try Explainers.named(method, options: OptionOverrides(settings: ["\(key)=[true]"]))
            }
            guard case .wrongType(let name, let failing, let given, _)? = error else {
                Issue.record("\(method) \(key)=[true] gave \(String(describing: error))")
                continue
            }
            #expect(name == method && failing == key && given == "[true]")
        }
    }

    static func knownKeys(_ method: String) -> [String] {
        (Explainers.builtIn.first { $0.name == method }?.methodDescription.options.map(\.key) ?? []).sorted()
    }

    // Values of the right type that cannot work are refused before any work, naming the method.
    @Test(arguments: [("occlusion", "window=0"), ("occlusion", "stride=0"), ("integrated-gradients", "steps=1"),
                      ("integrated-gradients", "blurSigma=0"), ("rise", "maskCount=0"), ("rise", "keepProbability=1"),
                      ("kernelshap", "samples=1"), ("occlusion", "baselineSigma=0"), ("smoothgrad", "samples=0"),
                      ("smoothgrad", "base=occlusion"), ("healing", "quantile=1"), ("healing", "feather=-1"),
                      ("counterfactual", "learningRate=0"), ("exemplars", "count=0"), ("tcav", "randomSetCount=1"),
                      ("tcav", "alpha=0"), ("score-cam", "batchSize=0")])
    func invalidValuesAreOptionErrors(method: String, setting: String) throws {
        let error = #expect(throws: OptionError.self) {
            try Explainers.named(method, options: OptionOverrides(settings: [setting]))
        }
        guard case .invalidValue(let name, _)? = error else {
            Issue.record("\(method) \(setting) gave \(String(describing: error))")
            return
        }
        #expect(name == method)
        #expect(error?.exitStatus == .usage)
    }

    // SmoothGrad's base comes from the registry with its own options; the base method's unknown
    // options are errors of that method.
    @Test func smoothGradBuildsItsBaseFromTheRegistry() throws {
        let overrides = try OptionOverrides(json: #"{"base": "integrated-gradients", "baseOptions": {"steps": 8, "baseline": "blurred"}}"#)
        let smooth = try #require(try Explainers.named("smoothgrad", options: overrides) as? SmoothGrad)
        let base = try #require(try smooth.base() as? IntegratedGradients)
        #expect(base.options.steps == 8 && base.options.baseline == .blurred)
        #expect(base.optionSummary["baseline"] == "blurred (sigma 3.0)")
        #expect(throws: OptionError.unknownKey(method: "saliency", key: "steps", known: [])) {
            try Explainers.named("smoothgrad", options: OptionOverrides(json: #"{"baseOptions": {"steps": 8}}"#))
        }
        // A base given in code keeps its own settings.
        let given = SmoothGrad(base: IntegratedGradients(steps: 4, baseline: .blurred(sigma: 2)), samples: 2)
        #expect(given.options.base == "integrated-gradients")
        #expect((try given.base() as? IntegratedGradients)?.optionSummary["baseline"] == "blurred (sigma 2.0)")
    }

    // The convenience initialisers set the same options the registry reads.
    @Test func convenienceInitialisersSetTheOptions() throws {
        let occlusion = Occlusion(window: 8, stride: 4, baseline: .constant(0.5))
        #expect(occlusion.options == (try #require(try Explainers.named("occlusion", options: OptionOverrides(
            settings: ["window=8", "stride=4", "baseline=constant", "baselineValue=0.5"])) as? Occlusion)).options)
        #expect(occlusion.options.perturbationBaseline == .constant(0.5))
        let ig = IntegratedGradients(steps: 64, baseline: .blurred(sigma: 3))
        #expect(ig.options.steps == 64 && ig.options.baseline == .blurred && ig.options.blurSigma == 3)
        let healing = Healing(selection: .threshold(2), feather: 0)
        #expect(healing.options.threshold == 2 && healing.options.quantile == 0.9 && healing.options.feather == 0)
        #expect(KernelSHAP(superpixels: SLIC(segments: 16)).options.superpixels == SLIC(segments: 16))
    }

    // What a method needs is said before any work: gradients, context, a backbone.
    @Test func unmetNeedsSayWhatIsMissing() throws {
        let scoreOnly = RegionMeanDetector(rows: 0..<4, columns: 0..<4)
        #expect(Occlusion().unmetNeeds(of: scoreOnly) == nil)
        #expect(Saliency().unmetNeeds(of: scoreOnly)?.contains("gradients") == true)
        #expect(ScoreCAM().unmetNeeds(of: scoreOnly)?.contains("backbone") == true)
        let stripes = StripeEnergyDetector()
        #expect(IntegratedGradients().unmetNeeds(of: stripes) == nil)
        #expect(IntegratedGradients(baseline: .nearestNormal).unmetNeeds(of: stripes)?.contains("nearest normal training patch") == true)
        #expect(TCAV().unmetNeeds(of: stripes)?.contains("--concepts DIR") == true)
        #expect(TCAV(conceptFolder: URL(fileURLWithPath: "/concepts")).unmetNeeds(of: stripes) == nil)
        #expect(throws: ExplainerError.notApplicable(method: "tcav", reason: try #require(TCAV().unmetNeeds(of: stripes)))) {
            try TCAV().explain(stripes, image: ConceptImages.test, target: .imageScore)
        }
    }
}
