import Foundation
import XADDetect

/// What every method's options must do: encode and decode to the same value, document every
/// key they encode, and refuse an unknown key or a wrong type with an ``OptionError`` naming it.
public enum OptionsContract {
    public static func check<Options: MethodOptions>(_ type: Options.Type, method: String) throws {
        let defaults = Options()
        let data = try JSONEncoder().encode(defaults)
        try require(try JSONDecoder().decode(Options.self, from: data) == defaults, "\(method): options do not round-trip through JSON")
        let encoded = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        let documented = Set(Options.help.map(\.key))
        let undocumented = Set(encoded.keys).subtracting(documented)
        try require(undocumented.isEmpty, "\(method): options without help: \(undocumented.sorted())")
        try require(documented.count == Options.help.count, "\(method): an option is documented twice")
        do {
            _ = try defaults.overriding(OptionOverrides(["no-such-option": .number(1)]), method: method)
            try require(false, "\(method): an unknown option was accepted")
        } catch let error as OptionError {
            try require("\(error)".contains("no-such-option"), "\(method): the unknown-option error does not name it: \(error)")
        }
        try require(try defaults.overriding(OptionOverrides(), method: method) == defaults, "\(method): the defaults do not validate")
    }
}
