import Foundation

/// DeepPCB (Tang et al. 2019): aligned pairs of a defect-free template and a defective test image
/// of the same printed-circuit board, with defect boxes.
///
/// Layout: `PCBData/groupG/G/NNNNNNNN_temp.jpg` and `..._test.jpg`, annotations in
/// `PCBData/groupG/G_not/NNNNNNNN.txt`, one `x1 y1 x2 y2 type` box a line (commas also accepted).
/// `root` may be the dataset folder or its `PCBData` folder.
///
/// XADKit's protocol: pairs sorted by id; every fourth pair (`i % 4 == 0`) is held out for
/// testing, its template as a normal image and its `_test.jpg` as an anomalous image whose mask is
/// its boxes; the other pairs' templates are the training images and their defective images are
/// not used (a detector that has memorised a board's own template would find its defects too
/// easy, and the normal test boards would look more novel than the defective ones).
public struct DeepPCB: DatasetFormat {
    public let name = "deeppcb"
    public let layout = "PCBData/groupG/G/*_temp.jpg, *_test.jpg and groupG/G_not/*.txt boxes"

    public init() {}

    public func matches(_ root: URL) -> Bool { !groups(in: root).isEmpty }

    private func dataFolder(_ root: URL) -> URL {
        let nested = root.appendingPathComponent("PCBData")
        return Files.isFolder(nested) ? nested : root
    }

    private func groups(in root: URL) -> [URL] {
        Files.subfolders(of: dataFolder(root)).filter { $0.lastPathComponent.hasPrefix("group") }
    }

    public func load(_ root: URL) throws -> Dataset {
        var pairs: [(id: String, template: URL, test: URL, annotation: URL)] = []
        for group in groups(in: root) {
            let number = String(group.lastPathComponent.dropFirst("group".count))
            let images = group.appendingPathComponent(number)
            let annotations = group.appendingPathComponent("\(number)_not")
            for test in Files.images(in: images) where test.lastPathComponent.hasSuffix("_test.jpg") {
                let id = String(test.lastPathComponent.dropLast("_test.jpg".count))
                let template = images.appendingPathComponent("\(id)_temp.jpg")
                guard Files.exists(template) else { continue }
                pairs.append((id, template, test, annotations.appendingPathComponent("\(id).txt")))
            }
        }
        guard !pairs.isEmpty else {
            throw DatasetError.emptyFolder(dataFolder(root), expected: "groupG/G/*_temp.jpg and *_test.jpg pairs")
        }
        pairs.sort { $0.id < $1.id }
        var train: [SampleReference] = [], test: [SampleReference] = []
        for (index, pair) in pairs.enumerated() {
            let template = SampleReference(image: pair.template, label: .normal, category: "good")
            guard index % 4 == 0 else {
                train.append(template)
                continue
            }
            guard Files.exists(pair.annotation) else {
                throw DatasetError.unpairedMask(image: pair.test, expectedMask: pair.annotation)
            }
            test.append(template)
            test.append(SampleReference(image: pair.test, label: .anomalous, category: "defect",
                                        mask: .boxes(try Self.boxes(in: pair.annotation))))
        }
        return Dataset(name: "DeepPCB", train: train, test: test)
    }

    /// Reads `x1 y1 x2 y2 type` lines (spaces or commas).
    package static func boxes(in file: URL) throws -> [DefectBox] {
        let text = try String(contentsOf: file, encoding: .utf8)
        var boxes: [DefectBox] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).compactMap { Int($0) }
            guard fields.count == 5, fields[0] < fields[2], fields[1] < fields[3], fields.allSatisfy({ $0 >= 0 }) else {
                if line.allSatisfy(\.isWhitespace) { continue }
                throw DatasetError.malformedAnnotation(file, line: number + 1, text: String(line))
            }
            boxes.append(DefectBox(x1: fields[0], y1: fields[1], x2: fields[2], y2: fields[3], type: fields[4]))
        }
        return boxes
    }
}
