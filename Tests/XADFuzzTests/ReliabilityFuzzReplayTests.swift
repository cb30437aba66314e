import Foundation
import Testing
import XADFuzzTargets

/// Replays every seed-corpus file and every regression input (a crash libFuzzer found, kept after
/// its fix) through its fuzz target in the normal release build: a reader that crashes, traps or
/// hangs on one of them fails `make test` without a fuzzing toolchain. `make fuzz` does the fuzzing.
@Suite("Fuzz corpus and regression replay")
struct ReliabilityFuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files in `Tests/Fuzz/<kind>/<target>`, sorted; none when the folder does not exist.
    static func inputs(_ kind: String, _ target: String) -> [URL] {
        let folder = root.appendingPathComponent(kind).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTargets.all.map { $0.name })
    func everySeedAndRegressionInputIsReadWithoutCrashing(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let seeds = Self.inputs("corpus", name)
        #expect(!seeds.isEmpty, "Tests/Fuzz/corpus/\(name) has no seed files")
        for file in seeds + Self.inputs("regressions", name) {
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
