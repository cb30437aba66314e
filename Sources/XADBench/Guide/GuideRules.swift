import Foundation
import XADTensor

/// The method selection guide's rules, read from a versioned JSON file (the built-in one is
/// `guide-rules.json`, a resource of this module): which measured figure answers which need, how a
/// benchmark data set is matched to a user's, and which kind of reason each explainer gives.
/// Changing what the guide recommends is an edit of that file, not of code.
///
/// ```swift
/// let rules = try GuideRules.builtIn
/// rules.need("localisation")?.measures.first?.name   // "aupro"
/// rules.reasons.explainers["healing"]                 // "counterfactual"
/// ```
public struct GuideRules: Codable, Hashable, Sendable {
    /// The newest rules format this code reads; a file with a larger `version` is refused.
    public static let supportedVersion = 1

    /// The format version of the file.
    public var version: Int
    /// What the file is, for a person reading it.
    public var about: String?
    /// The needs a user can name, in the order the guide lists them.
    public var needs: [Need]
    /// Which kind of reason each method gives.
    public var reasons: Reasons
    /// How a benchmark data set's traits are matched to the user's.
    public var similarity: Similarity
    /// The randomisation check an explainer must pass to be ranked first, `nil` for none.
    public var sanity: Sanity?
    /// The measure names of the costs a budget limits.
    public var budget: BudgetMeasures

    /// Something a user needs from a detector and explainer pair.
    public struct Need: Codable, Hashable, Sendable {
        /// The name a user gives (`xad guide --need ID`), e.g. `localisation`.
        public var id: String
        /// A short title for tables.
        public var title: String
        /// The question the need answers, in a user's words.
        public var question: String
        /// The kind of reason a person reads (`heat-map`, `counterfactual`, ...); `nil` when the
        /// detector's own output answers the need (an alarm, a localisation map).
        public var reason: String?
        /// The measures that answer the need, in order of preference: the first one measured on
        /// the reference data set ranks the candidates.
        public var measures: [Measure]
    }

    /// A measure and which way is better.
    public struct Measure: Codable, Hashable, Sendable {
        /// Which way of a measure is better.
        public enum Direction: String, Codable, Hashable, Sendable { case higher, lower }
        /// The measure's name as `BenchmarkRecord.measure` gives it.
        public var name: String
        /// Whether higher or lower values are better.
        public var better: Direction

        /// Whether `value` is better than `other` by this measure.
        public func prefers(_ value: Double, over other: Double) -> Bool {
            better == .higher ? value > other : value < other
        }
    }

    /// Which kind of reason each method gives a person.
    public struct Reasons: Codable, Hashable, Sendable {
        /// Explainer registry name to the kind of reason its output is.
        public var explainers: [String: String]
        /// Detector registry name to the kind of reason its own output is (e.g. `attributes`).
        public var detectors: [String: String]
    }

    /// How similar a benchmark data set is to the user's: modality must agree; each other trait
    /// that agrees adds its weight, and a data set is similar from `similarAt` on.
    public struct Similarity: Codable, Hashable, Sendable {
        /// Trait name (`content`, `defectSize`, `normalImages`) to the weight of its agreement.
        public var weights: [String: Int]
        /// The least total weight of a similar data set.
        public var similarAt: Int
        /// The normal-image counts that separate few, some and many (ascending): two counts agree
        /// when they fall between the same bounds.
        public var normalImageBounds: [Int]
    }

    /// An explainer whose `measure` exceeds `atMost` fails the sanity check and is ranked after
    /// those that pass (e.g. `randomisation`, the rank correlation with a randomised model's map).
    public struct Sanity: Codable, Hashable, Sendable {
        /// The measure's name.
        public var measure: String
        /// The largest value that passes.
        public var atMost: Double
    }

    /// The measure names of the costs a ``GuideQuestion/Budget`` limits.
    public struct BudgetMeasures: Codable, Hashable, Sendable {
        /// Milliseconds to score one image.
        public var latency: String
        /// Milliseconds to explain one image.
        public var explanationLatency: String
        /// Seconds to fit or train.
        public var training: String
        /// Peak memory in megabytes.
        public var memory: String
    }

    /// The need called `id`, `nil` when there is none.
    public func need(_ id: String) -> Need? { needs.first { $0.id == id } }

    /// Rules read from a JSON file.
    /// - Throws: ``GuideError/rules(_:_:)`` naming the file for unreadable JSON, a version newer
    ///   than ``supportedVersion``, or a need without measures.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GuideError.rules(url.path, "cannot be read (\(error.localizedDescription))")
        }
        // Read the version alone first, so that a newer file is refused by its version rather
        // than by whichever field it renamed.
        struct Versioned: Decodable { var version: Int }
        guard let version = try? JSONDecoder().decode(Versioned.self, from: data).version else {
            throw GuideError.rules(url.path, "is not a guide rules file (no integer \"version\")")
        }
        guard version <= Self.supportedVersion else {
            throw GuideError.rules(url.path, "has version \(version), newer than this xad reads (\(Self.supportedVersion)); update XADKit")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw GuideError.rules(url.path, "does not fit the rules format: \(error)")
        }
        if let empty = needs.first(where: { $0.measures.isEmpty }) {
            throw GuideError.rules(url.path, "need '\(empty.id)' names no measure")
        }
    }

    /// The rules shipped with XADKit.
    public static var builtIn: GuideRules {
        get throws { try GuideRules(contentsOf: try GuideResource.url("guide-rules")) }
    }
}

/// The guide's JSON files shipped inside this module.
enum GuideResource {
    /// The URL of the resource `name.json`.
    /// - Throws: ``GuideError/missingResource(_:)`` when the module's resources were not installed beside `xad`.
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
            throw GuideError.missingResource("\(name).json")
        }
        return url
    }
}

/// Why the guide cannot answer.
public enum GuideError: StatusReportingError, Equatable {
    /// A rules file that cannot be used: its path and the problem.
    case rules(String, String)
    /// A results or evidence file that cannot be used: its path and the problem.
    case evidence(String, String)
    /// A need the rules do not define: the name given and the known ones.
    case unknownNeed(String, known: [String])
    /// One of XADKit's own resource files is missing (a broken installation).
    case missingResource(String)

    /// Bad files are data errors, an unknown need a usage error, a missing resource internal.
    public var exitStatus: ExitStatus {
        switch self {
        case .rules, .evidence: .data
        case .unknownNeed: .usage
        case .missingResource: .internal
        }
    }

    public var description: String {
        switch self {
        case .rules(let path, let problem): "\(path): guide rules file \(problem)"
        case .evidence(let path, let problem): "\(path): benchmark results \(problem)"
        case .unknownNeed(let need, let known): "unknown need '\(need)'; known needs: \(known.joined(separator: ", "))"
        case .missingResource(let name): "XADBench's resource \(name) is missing; reinstall XADKit"
        }
    }
}
