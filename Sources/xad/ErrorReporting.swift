import ArgumentParser
import Foundation
import XADTensor

/// A one-line error of an `xad` command: what is wrong and what to do, with its exit status.
struct CommandError: StatusReportingError {
    let exitStatus: ExitStatus
    let description: String

    static func usage(_ message: String) -> CommandError { CommandError(exitStatus: .usage, description: message) }
    static func data(_ message: String) -> CommandError { CommandError(exitStatus: .data, description: message) }
}

extension ExitStatus {
    /// The status of any error a command throws: XADKit's errors say their own
    /// (``StatusReportingError``); of the foreign ones, ArgumentParser's validation errors are
    /// usage errors and Foundation's file errors data errors; anything else is internal.
    static func of(_ error: any Error) -> ExitStatus {
        switch error {
        case let error as any StatusReportingError: error.exitStatus
        case is ValidationError: .usage
        case is CocoaError: .data
        default: .internal
        }
    }
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
        let status = ExitStatus.of(error)
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

