import XADDetect

/// The registry of explanation methods: adding one is one line in ``builtIn``.
public enum Explainers {
    /// The explainers XADKit ships, in the order reports and help texts show them.
    public static let builtIn: [any Explainer.Type] = [
        Saliency.self,
        GradientTimesInput.self,
        IntegratedGradients.self,
        SmoothGrad.self,
        GradCAM.self,
        GradCAMPlusPlus.self,
        ScoreCAM.self,
        Occlusion.self,
        RISE.self,
        KernelSHAP.self,
        Healing.self,
        GradientCounterfactual.self,
        NearestExemplars.self,
        TCAV.self,
        DetectorMap.self,
    ]

    private static let registry = Registry<any Explainer.Type>(builtIn) { $0.name }

    /// Every registered explainer type: the built-in ones, then any registered at run time.
    public static var types: [any Explainer.Type] { registry.all }

    /// Every registered explainer with its default options.
    public static var all: [any Explainer] { types.map { $0.init() } }

    /// Adds an explainer (e.g. a plug-in or a test's), replacing one of the same name.
    public static func register(_ explainer: any Explainer.Type) { registry.register(explainer) }

    /// Removes the explainer called `name`, if registered.
    public static func unregister(_ name: String) { registry.unregister(name) }

    /// The names users pass with `--method`.
    public static var names: [String] { types.map { $0.name } }

    /// The explainer called `name`, with its defaults replaced by `overrides`.
    /// - Throws: ``ExplainerError/unknownMethod(_:known:)``; `OptionError` for a bad option.
    public static func named(_ name: String, options overrides: OptionOverrides = OptionOverrides()) throws -> any Explainer {
        guard let type = types.first(where: { $0.name == name }) else {
            throw ExplainerError.unknownMethod(name, known: names)
        }
        return try type.configured(overrides)
    }

    /// Every explainer as help texts show it: name, summary, needs, options with defaults.
    public static var descriptions: [MethodDescription] { types.map { $0.methodDescription } }

    /// `explainers` with `context` handed to those that use one (``ContextualExplainer``).
    public static func configured(_ explainers: [any Explainer], with context: ExplanationContext) -> [any Explainer] {
        explainers.map { explainer in
            guard let contextual = explainer as? any ContextualExplainer else { return explainer }
            return contextual.using(context)
        }
    }
}

extension Explainer {
    /// This explainer type with its defaults replaced by `overrides`.
    public static func configured(_ overrides: OptionOverrides) throws -> Self {
        Self(options: try Options().overriding(overrides, method: name))
    }
}
