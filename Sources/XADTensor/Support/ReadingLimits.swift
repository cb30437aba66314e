import Foundation
import Synchronization

/// The most any reader of untrusted files (images, videos, weight files, NumPy arrays, pickles,
/// label files, saved models) may ask for: a header that claims more is refused with a clear
/// error *before* anything is allocated, so a hostile or damaged file cannot exhaust memory.
///
/// The defaults fit every real data set and model XADKit knows with room to spare; users with
/// bigger inputs raise a limit with the environment variable `XAD_LIMITS` (read once, at first
/// use) or `xad --limits`, both in the form `key=value,key=value`:
///
/// ```swift
/// // XAD_LIMITS=maxPixels=1000000000,maxVideoFrames=5000000 xad predict ...
/// var limits = ReadingLimits.current
/// limits.maxPixels = 1 << 30
/// ReadingLimits.current = limits                       // what every reader checks from now on
/// try ReadingLimits(parsing: "maxPixels=1073741824")   // the same, from text
/// ```
///
/// | key | default | what it bounds |
/// |---|---|---|
/// | `maxPixels` | 2^28 (16384 x 16384) | width x height of one image or video frame |
/// | `maxVideoFrames` | 1,000,000 | frames of one video clip |
/// | `maxVideoPixels` | 2^40 | frames x width x height of one video clip |
/// | `maxArrayBytes` | 2^32 (4 GiB) | one decoded array (NumPy `.npy`, MAT v5 matrix) as Float32 |
/// | `maxHeaderBytes` | 100,000,000 | a safetensors JSON header, a `.npy` header |
/// | `maxNestingDepth` | 100 | nesting of containers in a pickle, of cells and structs in a MAT-file |
/// | `maxPickleOpcodes` | 10,000,000 | opcodes run by one pickle |
/// | `maxDecompressedBytes` | 2^31 (2 GiB) | bytes inflated from one compressed file |
/// | `maxCompressionRatio` | 1032 | uncompressed / compressed size of a zip entry or zlib stream |
/// | `maxDocumentNodes` | 100,000 | values of a YAML config (a benchmark grid) with its aliases expanded |
///
/// 1032 is deflate's own ceiling (a 258-byte match per 2 bits at best): a zip entry declaring
/// more, or a stream that would expand further, lies about its sizes or is a bomb.
public struct ReadingLimits: Sendable, Equatable, CustomStringConvertible {
    /// Width x height of one image or video frame. Default 2^28.
    public var maxPixels = 1 << 28
    /// Frames of one video clip. Default 1,000,000 (over 9 hours at 30 frames a second).
    public var maxVideoFrames = 1_000_000
    /// Frames x width x height of one video clip. Default 2^40.
    public var maxVideoPixels = 1 << 40
    /// Bytes one decoded array may take as Float32. Default 2^32.
    public var maxArrayBytes = 1 << 32
    /// Bytes of a file header (safetensors JSON, `.npy` dictionary). Default 100,000,000, the
    /// reference safetensors implementation's own limit.
    public var maxHeaderBytes = 100_000_000
    /// Nesting depth of pickle containers and MAT-file cells and structs. Default 100 (a state
    /// dict nests about 4 deep, a label file 2); it also bounds the readers' recursion.
    public var maxNestingDepth = 100
    /// Opcodes one pickle may run. Default 10,000,000 (a state dict runs about 20 per tensor).
    public var maxPickleOpcodes = 10_000_000
    /// Bytes that inflating one compressed file may produce in all. Default 2^31.
    public var maxDecompressedBytes = 1 << 31
    /// Uncompressed over compressed size of one entry or stream. Default 1032, deflate's ceiling.
    public var maxCompressionRatio = 1032
    /// Values (scalars, lists, maps) of one YAML document, counted with every alias expanded.
    /// Default 100,000 (a benchmark grid config holds hundreds): aliases of aliases multiply, so
    /// a few hundred bytes can stand for billions of values (the "billion laughs" bomb).
    public var maxDocumentNodes = 100_000

    /// The defaults in the table above.
    public init() {}

    /// The defaults with the `key=value` pairs of `text` (comma-separated, e.g. the value of
    /// `XAD_LIMITS`) applied; an empty text gives the defaults.
    /// - Throws: ``ReadingLimitsError`` for an unknown key or a value that is not a positive integer.
    public init(parsing text: String) throws {
        self = try ReadingLimits().applying(text)
    }

    /// These limits with the `key=value` pairs of `text` applied, e.g. `xad --limits` over `XAD_LIMITS`.
    /// - Throws: ``ReadingLimitsError`` for an unknown key or a value that is not a positive integer.
    public func applying(_ text: String) throws -> ReadingLimits {
        var limits = self
        for pair in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let path = Self.keys[parts[0]] else {
                throw ReadingLimitsError("unknown limit '\(pair)' (known: \(Self.keys.keys.sorted().joined(separator: ", ")))")
            }
            guard let value = Int(parts[1]), value > 0 else {
                throw ReadingLimitsError("the limit \(parts[0]) needs a positive integer, not '\(parts[1])'")
            }
            limits[keyPath: path] = value
        }
        return limits
    }

    /// Every limit by the key `XAD_LIMITS` and ``init(parsing:)`` use (computed: key paths are not `Sendable`).
    static var keys: [String: WritableKeyPath<ReadingLimits, Int>] { [
        "maxPixels": \.maxPixels, "maxVideoFrames": \.maxVideoFrames, "maxVideoPixels": \.maxVideoPixels,
        "maxArrayBytes": \.maxArrayBytes, "maxHeaderBytes": \.maxHeaderBytes, "maxNestingDepth": \.maxNestingDepth,
        "maxPickleOpcodes": \.maxPickleOpcodes, "maxDecompressedBytes": \.maxDecompressedBytes,
        "maxCompressionRatio": \.maxCompressionRatio, "maxDocumentNodes": \.maxDocumentNodes,
    ] }

    /// `key=value` pairs in key order, the form ``init(parsing:)`` reads.
    public var description: String {
        Self.keys.sorted { $0.key < $1.key }.map { "\($0.key)=\(self[keyPath: $0.value])" }.joined(separator: ",")
    }

    /// The sentence readers append to a refusal, naming the limit and how to raise it, e.g.
    /// `"(the limit maxPixels=268435456; raise it with XAD_LIMITS=maxPixels=N or xad --limits)"`.
    public func advice(_ key: String) -> String {
        let value = Self.keys[key].map { String(self[keyPath: $0]) } ?? "?"
        return "(the limit \(key)=\(value); raise it with XAD_LIMITS=\(key)=N or xad --limits)"
    }

    /// The limits every reader checks: those of an enclosing ``using(_:_:)``, else the process's
    /// (`XAD_LIMITS` applied to the defaults at first use, the defaults alone when it is unset or
    /// malformed: see ``environmentProblem``), until set.
    public static var current: ReadingLimits {
        get { scoped ?? state.withLock { $0.limits } }
        set { state.withLock { $0.limits = newValue } }
    }

    /// Runs `body` with `limits` as ``current`` in this task (and the tasks it creates) only, e.g.
    /// a test that lowers a limit beside others running in parallel.
    public static func using<Result>(_ limits: ReadingLimits, _ body: () throws -> Result) rethrows -> Result {
        try $scoped.withValue(limits, operation: body)
    }

    @TaskLocal private static var scoped: ReadingLimits?

    /// Why `XAD_LIMITS` was ignored, or nil when it was read (or unset). `xad` reports it.
    public static var environmentProblem: ReadingLimitsError? { state.withLock { $0.problem } }

    private static let state = Mutex<(limits: ReadingLimits, problem: ReadingLimitsError?)>(fromEnvironment())

    private static func fromEnvironment() -> (limits: ReadingLimits, problem: ReadingLimitsError?) {
        guard let text = ProcessInfo.processInfo.environment["XAD_LIMITS"] else { return (ReadingLimits(), nil) }
        do {
            return (try ReadingLimits(parsing: text), nil)
        } catch let error as ReadingLimitsError {
            return (ReadingLimits(), ReadingLimitsError("XAD_LIMITS: \(error.message)"))
        } catch {
            return (ReadingLimits(), ReadingLimitsError("XAD_LIMITS: \(error)"))
        }
    }
}

extension ReadingLimits {
    /// `a * b * ...`, or nil when the product overflows `Int` or a factor is negative: the size
    /// a header claims, computed without trapping on hostile numbers.
    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }
}

/// A malformed limits setting (`XAD_LIMITS` or `xad --limits`): a usage error.
public struct ReadingLimitsError: StatusReportingError, Equatable, Sendable {
    /// A wrong setting is fixed on the command line.
    public var exitStatus: ExitStatus { .usage }
    /// What is wrong, for a person.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
