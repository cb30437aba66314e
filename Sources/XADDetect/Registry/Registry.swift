import Synchronization

/// A list of registered methods that any thread may read and extend: the built-in methods, plus
/// any that a program or a test registers at run time (a plug-in method is then listed in help,
/// found by name and walked by the contract tests like a built-in one).
public final class Registry<Method: Sendable>: Sendable {
    private let methods: Mutex<[Method]>
    private let name: @Sendable (Method) -> String

    /// A registry holding `builtIn`, in order; `name` gives each method's registry name.
    public init(_ builtIn: [Method], name: @escaping @Sendable (Method) -> String) {
        methods = Mutex(builtIn)
        self.name = name
    }

    /// Every registered method, built-in first, in registration order.
    public var all: [Method] { methods.withLock { $0 } }

    /// Adds `method`, replacing a registered method of the same name.
    public func register(_ method: Method) {
        let added = name(method)
        methods.withLock { list in
            if let index = list.firstIndex(where: { name($0) == added }) { list[index] = method } else { list.append(method) }
        }
    }

    /// Removes the method called `methodName`, if registered (for tests that register a
    /// throwaway method and clean up after themselves).
    public func unregister(_ methodName: String) {
        methods.withLock { list in list.removeAll { name($0) == methodName } }
    }
}

/// A registered method as help texts, catalogues and reports describe it.
public struct MethodDescription: Sendable, Equatable, Codable {
    /// The registry name, e.g. `"padim"`.
    public let name: String
    /// Other names accepted for it, e.g. an older name.
    public let aliases: [String]
    /// One sentence saying what it does.
    public let summary: String
    /// What it needs or offers, in a few words each (e.g. "gradients", "training images").
    public let traits: [String]
    /// Its options with defaults and help.
    public let options: [OptionDescription]

    public init(name: String, aliases: [String] = [], summary: String, traits: [String] = [], options: [OptionDescription]) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.traits = traits
        self.options = options
    }

    /// The method as help shows it: its name and summary on one line, then one indented line
    /// per option, `key = default: help`.
    ///
    /// ```
    /// padim: Gaussian per patch position over pretrained features; Mahalanobis distance map
    ///     channels = 100: feature channels kept (a seeded random subset)
    /// ```
    public var helpText: String {
        let alsoKnown = aliases.isEmpty ? "" : " (also: \(aliases.joined(separator: ", ")))"
        let needs = traits.isEmpty ? "" : " [\(traits.joined(separator: "; "))]"
        let header = "\(name)\(alsoKnown): \(summary)\(needs)"
        let lines = options.map { "    \($0.key) = \($0.defaultValue): \($0.help)" }
        return ([header] + (lines.isEmpty ? ["    (no options)"] : lines)).joined(separator: "\n")
    }
}
