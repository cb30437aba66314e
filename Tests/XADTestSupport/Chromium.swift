import Foundation
import XADImage

/// Debian's `chromium` (installed by `scripts/setup.sh`), run headless for page tests: a
/// screenshot, or the DOM after the page's scripts ran.
public enum Chromium {
    /// The first Chromium-like executable on the PATH.
    public static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    /// Whether page tests run: when Chromium is installed, and always under `CI=true`, where a
    /// missing browser is a failure.
    public static let shouldTest = executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs headless Chromium with a private profile on `page` plus `arguments` (e.g.
    /// `--screenshot=FILE`, `--dump-dom`); gives up after `timeout` seconds.
    /// - Returns: the exit status and what it printed on stdout (the DOM for `--dump-dom`).
    public static func run(_ page: URL, arguments: [String], profile: URL, timeout: TimeInterval = 90) throws -> (status: Int32, stdout: String) {
        guard let executable else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "Chromium is not installed: run scripts/setup.sh (Debian package chromium)"])
        }
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let output = profile.appendingPathComponent("stdout.txt")
        try Data().write(to: output)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile.path)"]
            + arguments + [page.absoluteString]
        // A file, not a pipe: a large DOM can never block the browser on a full pipe.
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    /// How much a screenshot shows: its number of distinct colours and the variance of its
    /// pixels' brightness (0 for a flat page; text, charts and pictures give many colours).
    public static func variety(of shot: Image) -> (colours: Int, brightnessVariance: Double) {
        let channels = shot.channels, samples = shot.samples
        var colours = Set<UInt64>(), sum = 0.0, squares = 0.0
        for pixel in 0..<(shot.width * shot.height) {
            let rgb = (0..<min(3, channels)).map { UInt64(samples[pixel * channels + $0]) }
            colours.insert(rgb.reduce(0) { $0 << 16 | $1 })
            let brightness = Double(rgb.reduce(0, +)) / Double(rgb.count)
            sum += brightness
            squares += brightness * brightness
        }
        let count = Double(shot.width * shot.height), mean = sum / count
        return (colours.count, squares / count - mean * mean)
    }
}
