import Foundation

/// MVTec AD (Bergmann et al. 2019) and the datasets laid out like it, MPDD and BTAD.
///
/// Layout of one category: `train/<normal>/*`, `test/<normal>/*`, `test/<defect>/*`, and masks in
/// `ground_truth/<defect>/<stem><suffix>` (MVTec AD and MPDD: `good` and `_mask.png`; BTAD: `ok`,
/// defects in `test/ko`, masks with the image's stem as `.png` or `.bmp`). `root` is the category
/// folder (e.g. `mvtec/bottle`).
public struct MVTecAD: DatasetFormat {
    /// The datasets that share this layout, differing in names.
    public enum Variant: String, Sendable {
        case mvtec, mpdd, btad

        var normalFolder: String { self == .btad ? "ok" : "good" }
        var maskSuffixes: [String] { self == .btad ? [".png", ".bmp"] : ["_mask.png"] }
    }

    public let variant: Variant
    public var name: String { variant == .mvtec ? "mvtec" : variant.rawValue }
    public var layout: String {
        "train/\(variant.normalFolder)/, test/<defect>/, ground_truth/<defect>/<stem>\(variant.maskSuffixes[0])"
    }

    public init(variant: Variant = .mvtec) { self.variant = variant }

    public func matches(_ root: URL) -> Bool {
        Files.isFolder(root.appendingPathComponent("train/\(variant.normalFolder)"))
            && Files.isFolder(root.appendingPathComponent("test"))
    }

    public func load(_ root: URL) throws -> Dataset {
        let trainFolder = root.appendingPathComponent("train/\(variant.normalFolder)")
        let train = Files.images(in: trainFolder).map {
            SampleReference(image: $0, label: .normal, category: "good")
        }
        guard !train.isEmpty else { throw DatasetError.noNormalImages(trainFolder) }
        var test: [SampleReference] = []
        for folder in Files.subfolders(of: root.appendingPathComponent("test")) {
            let defect = folder.lastPathComponent
            for image in Files.images(in: folder) {
                if defect == variant.normalFolder {
                    test.append(SampleReference(image: image, label: .normal, category: "good"))
                    continue
                }
                let candidates = variant.maskSuffixes.map {
                    root.appendingPathComponent("ground_truth/\(defect)/\(Files.stem(image))\($0)")
                }
                guard let mask = candidates.first(where: Files.exists) else {
                    throw DatasetError.unpairedMask(image: image, expectedMask: candidates[0])
                }
                test.append(SampleReference(image: image, label: .anomalous, category: defect,
                                            mask: .file(mask, threshold: 128)))
            }
        }
        guard !test.isEmpty else {
            throw DatasetError.emptyFolder(root.appendingPathComponent("test"), expected: "test/<class>/ images")
        }
        return Dataset(name: "\(name)/\(root.lastPathComponent)", train: train, test: test)
    }
}
