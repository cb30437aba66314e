/// The registry of detectors: adding one is one line here.
public enum Detectors {
    /// Every detector type, in the order help texts list them.
    public static let all: [any AnomalyDetector.Type] = [
        PaDiM.self,
        PatchCore.self,
        SPADE.self,
    ]

    /// The names users pass with `--detector`.
    public static var names: [String] { all.map { $0.name } }

    /// The detector type called `name`.
    public static func named(_ name: String) throws -> any AnomalyDetector.Type {
        guard let type = all.first(where: { $0.name == name }) else {
            throw DetectorError.unknownDetector(name, known: names)
        }
        return type
    }
}
