import Foundation

/// Runs the built `xad` executable as a user would and collects what it printed.
///
/// The binary is found beside the test bundle (`swift test` builds it there because this test
/// target depends on the `xad` target), whatever the configuration or scratch path.
struct XADProcess {
    /// The exit status and the text on stdout and stderr of one run.
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String

        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// The `xad` executable next to the test bundle, if it was built.
    static let executable: URL? = {
        let bundle = Bundle.main.bundleURL
        let folders = [Bundle.main.executableURL?.deletingLastPathComponent(), bundle, bundle.deletingLastPathComponent()]
        return folders.compactMap { $0?.appendingPathComponent("xad") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `xad arguments...` to completion.
    static func run(_ arguments: [String]) throws -> Outcome {
        guard let executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no xad executable beside \(Bundle.main.bundleURL.path)"])
        }
        return try run(executable: executable, arguments)
    }

    /// Runs `executable arguments...` to completion (e.g. `/bin/sh -c` around `xad` with a limit set).
    static func run(executable: URL, _ arguments: [String]) throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        for file in [out, err] { try Data().write(to: file) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // Files, not pipes: a chatty child can never block on a full pipe.
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
