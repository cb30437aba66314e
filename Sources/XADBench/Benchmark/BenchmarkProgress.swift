import Foundation

/// Receives a benchmark run's events (`xad benchmark` prints them on stderr).
public typealias BenchmarkProgress = @Sendable (BenchmarkEvent) -> Void

/// One step of a benchmark run: a cell started, advanced a stage, finished or was skipped, with
/// the run's elapsed time and estimated time left.
public struct BenchmarkEvent: Sendable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        case started
        /// A stage of the cell ("features", "scoring", "explaining") with its steps done of all.
        case stage(String, Int, Int)
        /// Finished; the note says why a cell has no figures, if so.
        case finished(String?)
        /// Already in the database, measured on the same data.
        case skipped
    }

    /// The cell.
    public let cell: BenchmarkCell
    /// Its position in the run (0-based) and the run's number of cells.
    public let index: Int, total: Int
    /// What happened.
    public let kind: Kind
    /// The run's clock when it happened.
    public let clock: BenchmarkClock

    /// One line for a log: `[12/40 30%] mtd-v1 · padim · seed 0 · grad-cam: explaining 4/10 · 3m12s elapsed, ETA 7m30s`.
    public var line: String {
        let head = "[\(index + 1)/\(total) \(Int((100 * Double(index) / Double(Swift.max(total, 1))).rounded()))%] \(cell.label)"
        let what = switch kind {
        case .started: "started"
        case .stage(let name, let done, let all): "\(name) \(done)/\(all)"
        case .finished(let note): note.map { "done (\($0))" } ?? "done"
        case .skipped: "already done, skipped"
        }
        let eta = clock.secondsLeft.map { ", ETA \(BenchmarkClock.duration($0))" } ?? ""
        return "\(head): \(what) · \(BenchmarkClock.duration(clock.elapsed)) elapsed\(eta)"
    }
}

/// A run's clock: elapsed time and the time left, estimated from the cells measured so far
/// (skipped cells cost nothing and do not count).
public struct BenchmarkClock: Sendable {
    private let started = Date()
    private let total: Int
    private var measured = 0, skipped = 0, measuredSeconds = 0.0

    init(total: Int) { self.total = total }

    /// Seconds since the run started.
    public var elapsed: Double { Date().timeIntervalSince(started) }

    /// The mean seconds of a measured cell times the cells left; `nil` before the first is measured.
    public var secondsLeft: Double? {
        guard measured > 0 else { return nil }
        return measuredSeconds / Double(measured) * Double(Swift.max(0, total - measured - skipped))
    }

    mutating func skip() { skipped += 1 }

    mutating func finish(seconds: Double) {
        measured += 1
        measuredSeconds += seconds
    }

    /// `42s`, `3m12s`, `2h05m`.
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m"
    }
}
