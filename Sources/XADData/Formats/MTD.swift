import Foundation

/// The Magnetic Tile Defect dataset (Huang et al. 2018) under XADKit's fixed protocol v1, used
/// everywhere so numbers are comparable.
///
/// Protocol v1: take `MT_Free/Imgs/*.jpg` sorted bytewise by file name; image `i` is training if
/// `i % 4 == 1`, a normal test image if `i % 4 == 0` (the rest are unused). Every image of the five
/// defect classes (`MT_Blowhole`, `MT_Break`, `MT_Crack`, `MT_Fray`, `MT_Uneven`) is an anomalous test
/// image; its mask is the PNG of the same name (defect where the value is at least 128).
public struct MTDProtocolV1: DatasetFormat {
    public let name = "mtd"
    public let layout = "MT_Free/Imgs/*.jpg and MT_<Defect>/Imgs/*.jpg with same-name .png masks"

    /// The defect classes, in the order reports list them.
    public static let defectClasses = ["MT_Blowhole", "MT_Break", "MT_Crack", "MT_Fray", "MT_Uneven"]

    public init() {}

    public func matches(_ root: URL) -> Bool {
        Files.isFolder(root.appendingPathComponent("MT_Free/Imgs"))
    }

    public func load(_ root: URL) throws -> Dataset {
        let freeFolder = root.appendingPathComponent("MT_Free/Imgs")
        let free = Files.images(in: freeFolder).filter { $0.pathExtension.lowercased() == "jpg" }
        guard !free.isEmpty else { throw DatasetError.emptyFolder(freeFolder, expected: "defect-free MT_Free/Imgs/*.jpg") }
        var train: [SampleReference] = []
        var test: [SampleReference] = []
        for (index, url) in free.enumerated() {
            let sample = SampleReference(image: url, label: .normal, category: "good")
            switch index % 4 {
            case 1: train.append(sample)
            case 0: test.append(sample)
            default: break
            }
        }
        guard !train.isEmpty else { throw DatasetError.noNormalImages(freeFolder) }
        for defect in Self.defectClasses {
            let folder = root.appendingPathComponent("\(defect)/Imgs")
            for url in Files.images(in: folder) where url.pathExtension.lowercased() == "jpg" {
                let mask = url.deletingPathExtension().appendingPathExtension("png")
                guard Files.exists(mask) else { throw DatasetError.unpairedMask(image: url, expectedMask: mask) }
                test.append(SampleReference(image: url, label: .anomalous, category: defect,
                                            mask: .file(mask, threshold: 128)))
            }
        }
        return Dataset(name: "MTD v1", train: train, test: test)
    }
}
