/// The registry of detectors: adding one is one line in ``builtIn``.
public enum Detectors {
    /// The detectors XADKit ships, in the order help texts list them.
    public static let builtIn: [any AnomalyDetector.Type] = [
        PaDiM.self,
        PatchCore.self,
        SPADE.self,
        AutoEncoder.self,
        VAE.self,
        FastFlow.self,
        STFPM.self,
        FCDD.self,
        DeepSVDD.self,
        Mahalanobis.self,
        Attributes.self,
        PerFrame.self,
        FramePrediction.self,
    ]

    private static let registry = Registry<any AnomalyDetector.Type>(builtIn) { $0.name }

    /// Every registered detector: the built-in ones, then any registered at run time.
    public static var all: [any AnomalyDetector.Type] { registry.all }

    /// Adds a detector (e.g. a plug-in or a test's), replacing one of the same name.
    public static func register(_ detector: any AnomalyDetector.Type) { registry.register(detector) }

    /// Removes the detector called `name`, if registered.
    public static func unregister(_ name: String) { registry.unregister(name) }

    /// The names users pass with `--detector`.
    public static var names: [String] { all.map { $0.name } }

    /// The detector type called `name` (or one of its aliases).
    public static func named(_ name: String) throws -> any AnomalyDetector.Type {
        guard let type = all.first(where: { $0.name == name || $0.aliases.contains(name) }) else {
            throw DetectorError.unknownDetector(name, known: names)
        }
        return type
    }

    /// Every detector as help texts show it: name, summary, traits, options with defaults.
    public static var descriptions: [MethodDescription] { all.map { $0.methodDescription } }
}
