import Foundation
import XADTensor

/// The options of a detector or explainer: one `Codable` struct whose `init()` holds every
/// documented default.
///
/// The same struct is read from the command line (`--options JSON`, `--set key=value`), from a
/// configuration file or benchmark grid (``OptionOverrides`` is `Codable`) and from a saved
/// model. Help texts are built from ``help`` and the encoded defaults, so a method's options are
/// documented once, beside their declaration.
///
/// ```swift
/// struct Options: MethodOptions {
///     /// Neighbours averaged for the score. Default 5.
///     var neighbours = 5
///     init() {}
///     static let help = [OptionHelp("neighbours", "neighbours averaged for the score")]
/// }
/// let options = try Options().overriding(OptionOverrides(settings: ["neighbours=9"]), method: "knn")
/// ```
public protocol MethodOptions: Codable, Sendable, Equatable {
    /// The options with every documented default.
    init()
    /// One line of help per option, by its JSON key, in the order help texts list them.
    static var help: [OptionHelp] { get }
    /// Throws ``OptionError/invalidValue(method:message:)`` for values that cannot work together
    /// or alone (checked before any long work). The default accepts everything.
    func validate(method: String) throws
}

extension MethodOptions {
    public func validate(method: String) throws {}

    /// These options with the keys of `overrides` replaced, validated.
    /// - Throws: ``OptionError`` naming an unknown key (and the known ones) or a value of the
    ///   wrong type (and the default's).
    public func overriding(_ overrides: OptionOverrides, method: String) throws -> Self {
        guard !overrides.values.isEmpty else {
            try validate(method: method)
            return self
        }
        let encoded = try JSONValue.decoded(from: JSONEncoder().encode(self))
        guard case .object(var merged) = encoded else { return self }
        let known = Self.knownKeys(encodedDefaults: merged.keys)
        for (key, value) in overrides.values.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else {
                throw OptionError.unknownKey(method: method, key: key, known: known.sorted())
            }
            merged[key] = value
        }
        let result: Self
        do {
            result = try JSONDecoder().decode(Self.self, from: JSONValue.object(merged).encoded())
        } catch {
            let key = Self.failingKey(error) ?? overrides.values.keys.sorted().joined(separator: ", ")
            let defaults = merged[key].map { _ in Self.defaultText(for: key) } ?? "see the method's help"
            throw OptionError.wrongType(method: method, key: key, given: overrides.values[key]?.text ?? "?",
                                        expected: defaults)
        }
        try result.validate(method: method)
        return result
    }

    /// Each option's key, default (as JSON text, `none` when absent) and help, in help order.
    public static var descriptions: [OptionDescription] {
        help.map { OptionDescription(key: $0.key, defaultValue: defaultText(for: $0.key), help: $0.text) }
    }

    /// The keys users may set: the documented ones and any the defaults encode.
    private static func knownKeys(encodedDefaults: Dictionary<String, JSONValue>.Keys) -> Set<String> {
        Set(help.map(\.key)).union(encodedDefaults)
    }

    /// The default of `key` as JSON text; `none` for an absent optional.
    static func defaultText(for key: String) -> String {
        guard let data = try? JSONEncoder().encode(Self()),
              case .object(let values)? = try? JSONValue.decoded(from: data),
              let value = values[key] else { return "none" }
        return value.text
    }

    private static func failingKey(_ error: Error) -> String? {
        guard let error = error as? DecodingError else { return nil }
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context): context
        @unknown default: nil
        }
        return context?.codingPath.first?.stringValue
    }
}

/// Options of a method that has none.
public struct NoOptions: MethodOptions {
    public init() {}
    public static let help: [OptionHelp] = []
}

/// One line of help for one option.
public struct OptionHelp: Sendable, Equatable {
    /// The option's JSON key, e.g. `"channels"`.
    public let key: String
    /// What it does, in a few words (the default is added from the options' `init()`).
    public let text: String

    public init(_ key: String, _ text: String) {
        self.key = key
        self.text = text
    }
}

/// An option as help texts and catalogues show it.
public struct OptionDescription: Sendable, Equatable, Codable {
    public let key: String
    /// The default value as JSON text, `none` when the option is absent by default.
    public let defaultValue: String
    public let help: String
}

/// Why a method's options could not be read. Always a usage error: the request must change.
public enum OptionError: StatusReportingError, Equatable {
    /// The method has no option of this name.
    case unknownKey(method: String, key: String, known: [String])
    /// The value given for `key` cannot be read as that option's type.
    case wrongType(method: String, key: String, given: String, expected: String)
    /// A value that is of the right type but cannot work (out of range, inconsistent).
    case invalidValue(method: String, message: String)
    /// `--options` or `--set` text that is not what it should be.
    case unreadable(String)

    public var exitStatus: ExitStatus { .usage }

    public var description: String {
        switch self {
        case .unknownKey(let method, let key, let known):
            "\(method) has no option '\(key)'; its options: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .wrongType(let method, let key, let given, let expected):
            "\(method) option '\(key)' has a value of the wrong type (\(given)); its default is \(expected)"
        case .invalidValue(let method, let message): "\(method): \(message)"
        case .unreadable(let message): message
        }
    }
}
