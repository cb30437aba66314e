import ArgumentParser
import Foundation
import XADBench

/// `--progress plain|bar|none`: how long work reports on stderr. `bar` rewrites one line in
/// place (terminals only); `plain` writes whole lines, at most one per stage every few seconds,
/// and works in a log file; `none` writes only warnings. Default: `bar` on a terminal, `plain`
/// otherwise, so that a redirected run still shows it is alive.
enum ProgressStyle: String, ExpressibleByArgument, CaseIterable {
    case plain, bar, none

    /// The style to use when none is given.
    static var automatic: ProgressStyle { isatty(STDERR_FILENO) == 1 ? .bar : .plain }
}

/// Writes progress lines on stderr in a ``ProgressStyle``, throttling `plain` so that a log
/// gets a line per stage change and at most one per ``interval`` otherwise.
final class ProgressOutput: @unchecked Sendable {
    let style: ProgressStyle
    /// Seconds between two plain lines of the same stage.
    let interval: Double
    private let lock = NSLock()
    private var lastStage = "", lastLine = Date.distantPast

    init(_ style: ProgressStyle, interval: Double = 5) {
        (self.style, self.interval) = (style, interval)
    }

    /// Shows `line`; `stage` names what it is about (a new stage always shows), `final` marks a
    /// line that closes a step (always shown).
    func show(_ line: String, stage: String, final: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        switch style {
        case .none: return
        case .bar:
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(final ? "\n" : "")".utf8))
        case .plain:
            guard final || stage != lastStage || Date().timeIntervalSince(lastLine) >= interval else { return }
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
        (lastStage, lastLine) = (stage, Date())
    }

    /// A benchmark run's events as lines.
    var benchmark: BenchmarkProgress {
        { event in
            let (stage, final): (String, Bool) = switch event.kind {
            case .stage(let name, let done, let total): ("\(event.index) \(name)", done >= total)
            default: ("\(event.index)", true)
            }
            self.show(event.line, stage: stage, final: final)
        }
    }

    /// Progress of one method over images, with elapsed time and an ETA from the images done.
    func steps(_ name: String, started: Date) -> (Int, Int) -> Void {
        { done, total in
            let elapsed = Date().timeIntervalSince(started)
            let eta = done > 0 ? ", ETA \(BenchmarkClock.duration(elapsed / Double(done) * Double(total - done)))" : ""
            self.show("\(name): \(done)/\(total) images · \(BenchmarkClock.duration(elapsed)) elapsed\(eta)", stage: name, final: done >= total)
        }
    }
}
