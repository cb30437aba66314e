import Foundation
import Testing
import XADTestSupport

/// `xad concepts` on the synthetic folder data set (spot and scratch defects with masks).
@Suite("xad concepts")
struct ConceptsCommandTests {
    @Test func buildsAFolderPerDefectClassAndRefusesToOverwrite() throws {
        let data = try SyntheticDataset(normal: 10, perClass: 6)
        defer { data.remove() }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("xad-concepts-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let arguments = ["concepts", "--data", data.root.path, "--format", "folder", "--out", out.path, "--skip-first", "1",
                         "--per-concept", "4", "--random-images", "50", "--crop-size", "32", "--quiet"]
        let outcome = try XADProcess.run(arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "wrote \(out.path): scratch 4, spot 4; random 50\n")
        #expect(outcome.stderr.isEmpty)
        let spots = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("spot").path).sorted()
        #expect(spots == ["spot_1.png", "spot_2.png", "spot_3.png", "spot_4.png"])

        let again = try XADProcess.run(arguments)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty"))
    }
}
