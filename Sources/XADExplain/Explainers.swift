/// The registry of explanation methods: adding one is one line here.
public enum Explainers {
    /// Every explainer with its default options, in the order reports show them.
    public static let all: [any Explainer] = [
        Saliency(),
        GradientTimesInput(),
        IntegratedGradients(),
        SmoothGrad(),
        GradCAM(),
        GradCAMPlusPlus(),
        ScoreCAM(),
        Occlusion(),
        RISE(),
        KernelSHAP(),
        Healing(),
        GradientCounterfactual(),
        NearestExemplars(),
        TCAV(),
    ]

    /// The names users pass with `--method`.
    public static var names: [String] { all.map { type(of: $0).name } }

    /// The explainer called `name`, with default options.
    public static func named(_ name: String) throws -> any Explainer {
        guard let explainer = all.first(where: { type(of: $0).name == name }) else {
            throw ExplainerError.unknownMethod(name, known: names)
        }
        return explainer
    }

    /// `explainers` with `context` handed to those that use one (``ContextualExplainer``).
    public static func configured(_ explainers: [any Explainer], with context: ExplanationContext) -> [any Explainer] {
        explainers.map { explainer in
            guard let contextual = explainer as? any ContextualExplainer else { return explainer }
            return contextual.using(context)
        }
    }
}
