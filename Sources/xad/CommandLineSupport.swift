import ArgumentParser
import Foundation
import XADBench
import XADData
import XADDetect
import XADExplain
import XADImage
import XADMetrics
import XADModels

/// The exit statuses of every `xad` command.
enum ExitStatus: Int32 {
    /// Success.
    case ok = 0
    /// The command line is wrong: an unknown or missing option, a bad value, an unknown name.
    case usage = 1
    /// The data is wrong: a missing, empty, corrupt or mismatched file or folder.
    case data = 2
    /// XADKit failed; worth a bug report.
    case `internal` = 3

    /// The status an error stands for.
    init(for error: Error) {
        switch error {
        case let error as DetectorError:
            switch error {
            case .invalidOption, .unknownDetector: self = .usage
            case .noTrainingImages, .modelFile: self = .data
            }
        case let error as DatasetError:
            if case .unknownFormat = error { self = .usage } else { self = .data }
        case is BackboneError, is ValidationError, is ExplainerError, is DemoError: self = .usage
        case let error as CommandError: self = error.status
        case is SampleError, is ImageError, is WeightError, is MetricsError, is ScoreTableError, is MapMaskError, is FileWriteError,
             is EvaluationError, is QualityError, is ReportError, is ConceptError, is CocoaError:
            self = .data
        default: self = .internal
        }
    }
}

/// A one-line error of an `xad` command: what is wrong and what to do.
struct CommandError: Error, CustomStringConvertible {
    let status: ExitStatus
    let description: String

    static func usage(_ message: String) -> CommandError { CommandError(status: .usage, description: message) }
    static func data(_ message: String) -> CommandError { CommandError(status: .data, description: message) }
}

extension XAD {
    /// Runs the command line with XADKit's exit statuses (see ``ExitStatus``) in place of
    /// ArgumentParser's: usage errors exit 1, data errors 2, internal errors 3, each with one
    /// line on stderr. Help and `--version` behave as ArgumentParser's.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            finish(with: error)
        }
    }

    /// Reports `error` and exits with its status; ArgumentParser's own errors (bad arguments,
    /// help requests) are shown as ArgumentParser shows them.
    private static func finish(with error: Error) -> Never {
        let status = ExitStatus(for: error)
        if status == .internal {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let text = oneLine(message(for: error))
                fail(text + (text.last.map { ".?!".contains($0) } == true ? " See" : "; see") + " '\(helpCommand)'", .usage)
            }
            if code != .failure { exit(withError: error) }
        }
        fail(status == .internal ? "internal error (please report it): \(error)" : "\(error)", status)
    }

    /// `xad SUBCOMMAND --help` for the subcommand named on the command line, else `xad --help`.
    private static var helpCommand: String {
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName })
        let subcommand = CommandLine.arguments.dropFirst().first { names.contains($0) }
        return (["xad"] + (subcommand.map { [$0] } ?? []) + ["--help"]).joined(separator: " ")
    }

    /// `message` on one line (ArgumentParser's suggestions and some underlying errors add lines).
    private static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    private static func fail(_ message: String, _ status: ExitStatus) -> Never {
        FileHandle.standardError.write(Data("xad: error: \(oneLine(message))\n".utf8))
        exit(withError: ExitCode(status.rawValue))
    }
}

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

/// `--quiet`, shared by every command that works for long: stderr then holds only warnings and errors.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Show no progress on stderr (progress only ever shows on a terminal); warnings and errors still show.")
    var quiet = false

    var console: Console { Console(quiet: quiet) }
}

/// Options shared by the commands that read many images.
struct ImageReadingOptions: ParsableArguments {
    @Option(help: "What to do with an image that cannot be decoded: fail (stop, naming it) or skip (warn, naming it).")
    var onBadImage: BadImagePolicy = .fail

    @OptionGroup var progress: ProgressOptions

    var quiet: Bool { progress.quiet }
    var console: Console { progress.console }
}

/// `--json FILE|-`, shared by every command with a result: the result as JSON (snake_case keys)
/// written atomically to FILE while the text still goes to stdout, or with `-` printed on stdout
/// in place of the text, so that `xad CMD ... --json - | jq` works for every command.
struct JSONOutputOptions: ParsableArguments {
    @Option(name: .customLong("json"),
            help: ArgumentHelp("Also write the result as JSON to this file; '-' prints the JSON on stdout instead of the text.",
                               valueName: "file|-"))
    var destination: String?

    /// True when the JSON replaces the text on stdout.
    var isStandardOutput: Bool { destination == "-" }

    /// Fails early, before long work, when the JSON file could not be written.
    func checkDestination() throws {
        if let destination, destination != "-" { try checkWritable(destination, option: "--json") }
    }

    /// Prints `text` on stdout (unless the JSON goes there) and writes `result` where `--json` says.
    func publish(_ result: some Encodable, text: @autoclosure () -> String) throws {
        if !isStandardOutput { print(text()) }
        try write(result)
    }

    /// Writes `result` where `--json` says (nowhere without `--json`).
    func write(_ result: some Encodable) throws {
        guard let destination else { return }
        let json = try Self.encoder.encode(result)
        if destination == "-" {
            print(String(decoding: json, as: UTF8.self))
        } else {
            try writeAtomically(json + Data("\n".utf8), to: destination, what: "JSON result")
        }
    }

    /// The encoder of every JSON result: snake_case keys, sorted, indented.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
extension ColorMap: ExpressibleByArgument {}

/// The data set a command reads.
struct DatasetOptions: ParsableArguments {
    @Option(help: "The data set's folder.")
    var data: String

    @Option(help: "The data set's layout: \(DatasetFormats.all.map(\.name).joined(separator: ", ")) (default: detected).")
    var format: String?

    func load() throws -> Dataset { try DatasetFormats.load(URL(fileURLWithPath: data), format: format) }
}

/// Writes `data` to `path` atomically (temporary file, then rename), with a one-line error.
func writeAtomically(_ data: Data, to path: String, what: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw CommandError.data("\(path): cannot write the \(what) (\(error.localizedDescription))")
    }
}

/// Fails early, before long work, when `path` cannot be written: its folder is missing or it is a folder.
func checkWritable(_ path: String, option: String) throws {
    let url = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
        throw CommandError.usage("\(option) \(path) is a folder; give a file name")
    }
    let parent = url.deletingLastPathComponent()
    guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
        throw CommandError.data("\(parent.path): no such folder for \(option) \(path); create it first")
    }
}
