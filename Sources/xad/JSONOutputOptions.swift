import ArgumentParser
import Foundation

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
