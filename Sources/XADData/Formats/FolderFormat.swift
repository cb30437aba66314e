import Foundation

/// A generic layout for users' own data: `normal/` (normal images), `abnormal/` (anomalous images,
/// directly or in one sub-folder per defect class), optional `masks/` (a mask per abnormal image,
/// same stem, any image extension, mirroring the sub-folders), optional `normal_test/`.
///
/// Without `normal_test/`, every fifth normal image (`i % 5 == 4`, sorted by name) is held out as
/// a normal test image and the rest are training images.
public struct FolderFormat: DatasetFormat {
    public let name = "folder"
    public let layout = "normal/, abnormal/[<class>/], optional masks/ (same stems) and normal_test/"

    public init() {}

    public func matches(_ root: URL) -> Bool {
        Files.isFolder(root.appendingPathComponent("normal"))
    }

    public func load(_ root: URL) throws -> Dataset {
        let normalFolder = root.appendingPathComponent("normal")
        let normals = Files.images(in: normalFolder)
        guard !normals.isEmpty else { throw DatasetError.noNormalImages(normalFolder) }
        let heldOut = root.appendingPathComponent("normal_test")
        var train: [SampleReference] = [], test: [SampleReference] = []
        for (index, url) in normals.enumerated() {
            let sample = SampleReference(image: url, label: .normal, category: "good")
            if !Files.isFolder(heldOut) && index % 5 == 4 { test.append(sample) } else { train.append(sample) }
        }
        test += Files.images(in: heldOut).map { SampleReference(image: $0, label: .normal, category: "good") }

        let abnormal = root.appendingPathComponent("abnormal")
        let masks = root.appendingPathComponent("masks")
        let classFolders = [(abnormal, "abnormal", masks)] + Files.subfolders(of: abnormal).map {
            ($0, $0.lastPathComponent, masks.appendingPathComponent($0.lastPathComponent))
        }
        for (folder, category, maskFolder) in classFolders {
            let maskByStem = Dictionary(Files.images(in: maskFolder).map { (Files.stem($0), $0) }) { first, _ in first }
            for image in Files.images(in: folder) {
                let mask = maskByStem[Files.stem(image)] ?? maskByStem[Files.stem(image) + "_mask"]
                if Files.isFolder(masks) && mask == nil {
                    throw DatasetError.unpairedMask(image: image, expectedMask: maskFolder.appendingPathComponent(Files.stem(image) + ".png"))
                }
                test.append(SampleReference(image: image, label: .anomalous, category: category,
                                            mask: mask.map { .file($0, threshold: 128) }))
            }
        }
        return Dataset(name: root.lastPathComponent, train: train, test: test)
    }
}
