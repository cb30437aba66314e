import Foundation

/// The real benchmark data in `../shared/data` beside the repository.
///
/// Tests that read a set use `.enabled(if: SharedData.shouldTest("mtd"))`: they run when the set
/// is there, and always under `CI=true`, where a missing set must fail rather than skip.
public enum SharedData {
    /// The folder of one set, e.g. `SharedData.url("mtd")`.
    public static func url(_ relativePath: String) -> URL {
        Fixture.sharedData.appendingPathComponent(relativePath)
    }

    /// True when the set exists, or when running under CI (so that its absence is a failure).
    public static func shouldTest(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relativePath).path)
            || ProcessInfo.processInfo.environment["CI"] == "true"
    }
}
