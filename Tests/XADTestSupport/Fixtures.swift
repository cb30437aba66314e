import Foundation
import XADTensor

/// Reference outputs written by the scripts in `Tools/reference/` (PyTorch, NumPy, scikit-learn,
/// anomalib) and committed under `Tests/Fixtures/`.
///
/// A fixture file is JSON: `{"name": {"shape": [..], "data": [..]}, ...}` for tensors, plus any
/// plain JSON values a test needs.
public struct Fixture: Sendable {
    public let url: URL
    private let root: [String: JSONValue]

    /// Loads `Tests/Fixtures/<relativePath>`.
    public init(_ relativePath: String) throws {
        url = Fixture.directory.appendingPathComponent(relativePath)
        let data = try Data(contentsOf: url)
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw FixtureError("\(relativePath): top level is not an object")
        }
        root = object
    }

    /// The folder that holds all fixtures.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    /// The `../shared/data` folder beside the repository (real benchmark data).
    public static var sharedData: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// A tensor stored as `{"shape": [...], "data": [...]}`.
    public func tensor(_ key: String) throws -> Tensor {
        guard case .object(let entry)? = root[key], case .array(let shape)? = entry["shape"],
              case .array(let data)? = entry["data"] else {
            throw FixtureError("\(url.lastPathComponent): no tensor named \(key)")
        }
        return try Tensor(shape: shape.compactMap(\.int), scalars: data.compactMap(\.float))
    }

    /// Any JSON value, e.g. `fixture["stride"]?.int`.
    public subscript(key: String) -> JSONValue? { root[key] }

    /// All keys, sorted.
    public var keys: [String] { root.keys.sorted() }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A parsed JSON value.
public enum JSONValue: Decodable, Sendable {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public var double: Double? { if case .number(let v) = self { v } else { nil } }
    public var float: Float? { double.map(Float.init) }
    public var int: Int? { double.map { Int($0) } }
    public var string: String? { if case .string(let v) = self { v } else { nil } }
    public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var array: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    public var ints: [Int]? { array?.compactMap(\.int) }
    public var doubles: [Double]? { array?.compactMap(\.double) }
}

/// The largest elementwise difference, scaled: `max |a - b| / (absolute + relative * |b|)`.
/// A result of at most 1 means every element is within tolerance.
public func toleranceRatio(_ actual: Tensor, _ expected: Tensor, absolute: Float, relative: Float) -> Float {
    guard actual.shape == expected.shape else { return .infinity }
    var worst: Float = 0
    for (a, b) in zip(actual.scalars, expected.scalars) {
        let ratio = abs(a - b) / (absolute + relative * abs(b))
        if !(ratio <= worst) { worst = ratio.isNaN ? .infinity : ratio }
    }
    return worst
}
