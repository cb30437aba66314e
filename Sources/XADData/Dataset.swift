import Foundation

/// A dataset split for anomaly detection: normal training images, and test images with labels
/// and, where available, defect masks.
public struct Dataset: Sendable {
    /// A name for reports, e.g. "MTD v1" or "mvtec/bottle".
    public var name: String
    /// Normal images to fit on.
    public var train: [SampleReference]
    /// Normal and anomalous images to evaluate on.
    public var test: [SampleReference]

    public init(name: String, train: [SampleReference], test: [SampleReference]) {
        (self.name, self.train, self.test) = (name, train, test)
    }

    /// The defect classes of the test set, sorted, "good" first.
    public var categories: [String] {
        Set(test.map(\.category)).sorted { ($0 == "good" ? "" : $0) < ($1 == "good" ? "" : $1) }
    }
}

/// A way of laying out a dataset on disk. Registering a format is one line in
/// ``DatasetFormats/all``.
public protocol DatasetFormat: Sendable {
    /// The name users pass with `--format`.
    var name: String { get }
    /// One sentence on the layout this format expects.
    var layout: String { get }
    /// Whether `root` looks like this format (used when no format is given).
    func matches(_ root: URL) -> Bool
    /// Reads the split. Throws ``DatasetError`` naming the folder or file that is wrong.
    func load(_ root: URL) throws -> Dataset
}

/// The registry of dataset formats.
public enum DatasetFormats {
    /// Every known format, in the order they are tried when none is named.
    public static let all: [any DatasetFormat] = [
        MTDProtocolV1(),
        DeepPCB(),
        VisA(),
        MVTecAD(),
        MVTecAD(variant: .mpdd),
        MVTecAD(variant: .btad),
        UCSDPed(),
        Avenue(),
        ShanghaiTech(),
        ClipFolders(),
        FolderFormat(),
    ]

    /// The format named `name`, or the first that matches `root` when `name` is nil.
    public static func resolve(_ name: String?, for root: URL) throws -> any DatasetFormat {
        if let name {
            guard let format = all.first(where: { $0.name == name }) else {
                throw DatasetError.unknownFormat(name, known: all.map(\.name))
            }
            return format
        }
        guard let format = all.first(where: { $0.matches(root) }) else {
            throw DatasetError.unrecognisedLayout(root, known: all.map { "\($0.name): \($0.layout)" })
        }
        return format
    }

    /// Loads the dataset at `root` in the named (or detected) format.
    public static func load(_ root: URL, format: String? = nil) throws -> Dataset {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetError.missingFolder(root)
        }
        return try resolve(format, for: root).load(root)
    }
}
