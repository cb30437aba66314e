/// The registry of backbones by the names users and saved models use.
///
/// ```swift
/// let backbone = try Backbones.load("efficientnet-lite0")
/// ```
public enum Backbones {
    /// Every backbone name, e.g. `"efficientnet-lite0"`.
    public static let names: [String] = EfficientNetLiteVariant.allCases.map { "efficientnet-\($0.rawValue)" }

    /// The pretrained backbone `name`, its weights found by ``WeightLocator`` (or at `weightsPath`).
    /// - Throws: ``BackboneError`` for an unknown name; ``WeightError`` when the weights are missing.
    public static func load(_ name: String, weightsPath: String? = nil) throws -> any Backbone {
        guard name.hasPrefix("efficientnet-"),
              let variant = EfficientNetLiteVariant(rawValue: String(name.dropFirst("efficientnet-".count))) else {
            throw BackboneError("unknown backbone '\(name)'; known backbones: \(names.joined(separator: ", "))")
        }
        return try EfficientNetLite.pretrained(variant, weightsPath: weightsPath)
    }
}
