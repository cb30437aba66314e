import ArgumentParser
import XADDetect

/// `--options JSON` and `--set key=value`: values replacing a method's documented defaults.
/// With several methods, a key may name its method: `--set occlusion.window=16`.
struct MethodOptionArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Method options as a JSON object overriding the defaults, e.g. '{\"channels\": 50}'.",
                               valueName: "json"))
    var options: String?

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("One method option, key=value (repeatable; overrides --options), e.g. --set channels=50.",
                               valueName: "key=value"))
    var settings: [String] = []

    /// The overrides given: `--options` first, `--set` replacing the same keys.
    func overrides() throws -> OptionOverrides {
        let json = try options.map { try OptionOverrides(json: $0) } ?? OptionOverrides()
        return json.merging(try OptionOverrides(settings: settings))
    }
}

/// Help texts built from the registries.
enum MethodHelp {
    /// Each method's help (name, summary, options with defaults), indented for a command's discussion.
    static func list(_ methods: [MethodDescription]) -> String {
        methods.map(\.helpText).joined(separator: "\n")
    }
}
