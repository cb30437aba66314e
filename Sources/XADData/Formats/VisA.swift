import Foundation

/// VisA (Zou et al. 2022) through its split file `split_csv/1cls.csv`
/// (`object,split,label,image,mask`, paths relative to the dataset folder).
///
/// `root` is a category folder inside the VisA folder (e.g. `VisA/candle`); the split file is
/// looked up in `root/../split_csv/1cls.csv`. Labels are `normal` or `anomaly`.
public struct VisA: DatasetFormat {
    public let name = "visa"
    public let layout = "<visa>/split_csv/1cls.csv and <visa>/<object>/Data/...; pass the object folder"

    public init() {}

    private func splitFile(_ root: URL) -> URL {
        root.deletingLastPathComponent().appendingPathComponent("split_csv/1cls.csv")
    }

    public func matches(_ root: URL) -> Bool { Files.exists(splitFile(root)) }

    public func load(_ root: URL) throws -> Dataset {
        let file = splitFile(root)
        let base = root.deletingLastPathComponent()
        let object = root.lastPathComponent
        let text = try String(contentsOf: file, encoding: .utf8)
        var train: [SampleReference] = [], test: [SampleReference] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else {
                throw DatasetError.malformedSplitFile(file, line: number + 1, problem: "expected object,split,label,image,mask")
            }
            guard fields[0] == object else { continue }
            let anomalous = fields[2] == "anomaly"
            let image = base.appendingPathComponent(fields[3])
            let mask = fields.count > 4 && !fields[4].isEmpty ? base.appendingPathComponent(fields[4]) : nil
            if anomalous && mask == nil {
                throw DatasetError.malformedSplitFile(file, line: number + 1, problem: "anomalous image without a mask")
            }
            let sample = SampleReference(image: image, label: anomalous ? .anomalous : .normal,
                                         category: anomalous ? "anomaly" : "good",
                                         mask: mask.map { .file($0, threshold: 1) })
            switch fields[1] {
            case "train": if !anomalous { train.append(sample) }
            case "test": test.append(sample)
            default:
                throw DatasetError.malformedSplitFile(file, line: number + 1, problem: "split '\(fields[1])' is neither train nor test")
            }
        }
        guard !train.isEmpty else { throw DatasetError.noNormalImages(root) }
        return Dataset(name: "visa/\(object)", train: train, test: test)
    }
}
