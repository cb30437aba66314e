import Foundation
import XADTensor

/// Option values that replace a method's defaults, by key: what `--options '{"channels": 50}'`
/// and `--set channels=50` give, and what configuration files and benchmark grids store.
///
/// ```swift
/// let overrides = try OptionOverrides(json: #"{"channels": 50}"#)
///     .merging(OptionOverrides(settings: ["seed=3"]))
/// let options = try PaDiM.Options().overriding(overrides, method: "padim")
/// ```
public struct OptionOverrides: Sendable, Equatable, Codable {
    /// The values by option key.
    public var values: [String: JSONValue]

    /// Overrides of these values (none by default).
    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// The keys of a JSON object, e.g. `{"channels": 50, "seed": 3}`.
    /// - Throws: ``OptionError/unreadable(_:)`` for text that is not a JSON object.
    public init(json: String) throws {
        guard case .object(let object)? = try? JSONValue.decoded(from: Data(json.utf8)) else {
            throw OptionError.unreadable("the options must be a JSON object such as {\"channels\": 50}, not \(json)")
        }
        values = object
    }

    /// `key=value` settings. A value is read as JSON when it is JSON (`50`, `true`, `[1,2]`,
    /// `"text"`) and as a string otherwise (`mode=fast`).
    /// - Throws: ``OptionError/unreadable(_:)`` for a setting without `=` or without a key.
    public init(settings: [String]) throws {
        var values: [String: JSONValue] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw OptionError.unreadable("--set takes key=value, e.g. --set channels=50; got '\(setting)'")
            }
            let key = setting[..<equals].trimmingCharacters(in: .whitespaces)
            let text = String(setting[setting.index(after: equals)...])
            values[key] = (try? JSONValue.decoded(from: Data(text.utf8))) ?? .string(text)
        }
        self.values = values
    }

    /// These overrides with `other`'s values replacing any of the same key.
    public func merging(_ other: OptionOverrides) -> OptionOverrides {
        OptionOverrides(values.merging(other.values) { $1 })
    }

    /// The overrides whose keys start with `prefix.` (e.g. `occlusion.window`), without it.
    public func scoped(to prefix: String) -> OptionOverrides {
        let start = prefix + "."
        return OptionOverrides(Dictionary(uniqueKeysWithValues: values.compactMap { key, value in
            key.hasPrefix(start) ? (String(key.dropFirst(start.count)), value) : nil
        }))
    }

    /// The overrides whose keys hold no `.` (apply to whichever method is configured).
    public var unscoped: OptionOverrides {
        OptionOverrides(values.filter { !$0.key.contains(".") })
    }

    /// Encoded as the bare JSON object of its values.
    public init(from decoder: Decoder) throws {
        values = try [String: JSONValue](from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try values.encode(to: encoder)
    }
}

/// A JSON value: what option overrides hold, independent of any method's types.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers as integers, so that Int options decode them.
            if value == value.rounded(), abs(value) < 9e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value decoded from JSON `data` (fragments such as `50` or `"a"` included).
    static func decoded(from data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value as JSON data (sorted keys, so equal values give equal text).
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The value as compact JSON text, e.g. `100`, `"stage1"`, `[1,2]`.
    public var text: String {
        (try? encoded()).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}
