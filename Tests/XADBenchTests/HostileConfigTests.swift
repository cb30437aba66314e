import Foundation
import Testing
import XADBench
import XADDetect
import XADTensor

/// Benchmark configs that try to exhaust the reader: YAML aliases of aliases multiply, so a few
/// hundred bytes can stand for billions of values, and decoding visits every one of them.
@Suite("Hostile benchmark configs")
struct HostileConfigTests {
    /// A config whose detector options hold `levels` nested aliases, each level ten of the one
    /// below: 10^levels values once expanded, in about 60 bytes a level.
    static func aliasBomb(levels: Int) -> String {
        var yaml = "name: bomb\nl0: &l0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n"
        for level in 1..<levels {
            yaml += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return yaml + "datasets: [{name: d, path: .}]\ndetectors: [{name: padim, options: {laughs: *l\(levels - 1)}}]\n"
    }

    /// 10^9 values from 600 bytes: refused at once (a bound, not a timing: without the check this
    /// decodes for hours), naming the limit and how to raise it.
    @Test func aBillionLaughsConfigIsRefusedBeforeDecoding() throws {
        let url = try BenchmarkConfigTests.file("bomb.yaml", Self.aliasBomb(levels: 9))
        let error = try #require(throws: BenchmarkConfigError.self) { try BenchmarkConfig.load(url) }
        #expect(error.problems == ["its aliases expand to more than 100000 values (the limit maxDocumentNodes=100000; "
                                   + "raise it with XAD_LIMITS=maxDocumentNodes=N or xad --limits)"])
    }

    /// Four levels: 23,477 values once expanded (1 root, 2 for the name, 12 + 112 + 1,112 + 11,112
    /// for the definitions, 7 for the data set, 11,119 for the detector list with the alias used):
    /// read under a limit of exactly that, refused one below it, so every value counts once.
    @Test func theLimitCountsEveryExpandedValueOnce() throws {
        let url = try BenchmarkConfigTests.file("grid.yaml", Self.aliasBomb(levels: 4))
        var limits = ReadingLimits()
        limits.maxDocumentNodes = 23_476
        #expect(throws: BenchmarkConfigError.self) { try ReadingLimits.using(limits) { try BenchmarkConfig.load(url) } }
        limits.maxDocumentNodes = 23_477
        let config = try ReadingLimits.using(limits) { try BenchmarkConfig.load(url) }
        #expect(config.detectors.map(\.name) == ["padim"])
    }

    /// Anchors used as intended (options shared by two detectors) read as before.
    @Test func sharedOptionsThroughAnAliasStillRead() throws {
        let url = try BenchmarkConfigTests.file("grid.yaml", """
            name: shared
            short: &short {epochs: 5}
            datasets: [{name: d, path: .}]
            detectors: [{name: fastflow, options: *short}, {name: stfpm, options: *short}]
            """)
        let config = try BenchmarkConfig.load(url)
        #expect(config.detectors.map(\.options) == Array(repeating: OptionOverrides(["epochs": .number(5)]), count: 2))
    }
}
