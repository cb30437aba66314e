import Foundation
import Testing
import XADContracts
import XADDetect

/// Every built-in detector keeps the contract (``DetectorContract``): adding a detector to the
/// registry adds it here, so a detector that cannot fit, score, save and load fails `make test`.
@Suite("Detector contract")
struct DetectorContractTests {
    /// Image detectors keep the image contract; video detectors (input `.clips`) keep
    /// the clip contract instead.
    @Test(arguments: Detectors.builtIn.filter { $0.traits.input == .images }.map { $0.name })
    func keepsTheContract(_ name: String) throws {
        try DetectorContract.check(try Detectors.named(name))
    }

    @Test func namesAndAliasesAreUniqueAndEachHasAFolderREADME() throws {
        let names = Detectors.builtIn.flatMap { [$0.name] + $0.aliases }
        #expect(Set(names).count == names.count)
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/XADDetect").standardizedFileURL
        let readmes = (FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix("README.md") }
            .compactMap { try? String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8) }
        for detector in Detectors.builtIn {
            #expect(readmes.contains { $0.contains("`\(detector.name)`") }, "no README under Sources/XADDetect names `\(detector.name)`")
        }
    }
}
