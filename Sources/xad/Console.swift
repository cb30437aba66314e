import Foundation
import XADDetect

/// Progress and warnings on stderr. Progress is shown only when stderr is a terminal and
/// `--quiet` is not given, as one bar rewritten in place; warnings are always shown.
struct Console: Sendable {
    let showsProgress: Bool

    init(quiet: Bool) {
        showsProgress = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Shows "stage [#####.....] done/total" (a ``FitProgress``), ending the line when done.
    var progress: FitProgress {
        let shows = showsProgress
        return { stage, done, total in
            guard shows, total > 0 else { return }
            let filled = Swift.min(20, 20 * Swift.max(0, done) / total)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K\(stage) [\(bar)] \(done)/\(total)".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }

    /// Shows one line of news about long work (e.g. "fitting padim"), like progress: only on a terminal.
    func note(_ message: String) {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(message)\n".utf8))
    }

    /// Writes "warning: message" on stderr.
    @Sendable func warn(_ message: String) {
        FileHandle.standardError.write(Data("\(showsProgress ? "\r\u{1B}[K" : "")warning: \(message)\n".utf8))
    }
}
