import Foundation
import Testing
import XADData
import XADImage
import XADTensor

/// Builds small datasets in a temporary folder.
private struct Scratch {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-data-\(UUID().uuidString)")

    func image(_ path: String, width: Int = 8, height: Int = 6, value: UInt16 = 100) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Image(width: width, height: height, channels: 1, repeating: value).write(to: url)
    }

    func text(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite("Dataset formats and their errors")
struct DatasetFormatTests {
    @Test func folderFormatHoldsOutEveryFifthNormalImage() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        for i in 0..<10 { try scratch.image("normal/\(i).png") }
        try scratch.image("abnormal/scratch/a.png")
        try scratch.image("masks/scratch/a.png", value: 255)
        let dataset = try DatasetFormats.load(scratch.root)
        #expect(dataset.train.count == 8)
        #expect(dataset.test.map(\.name) == ["4.png", "9.png", "a.png"])
        let anomalous = try dataset.test[2].load()
        #expect(anomalous.hasMask && anomalous.mask.scalars.allSatisfy { $0 == 1 })
    }

    @Test func mvtecLayoutPairsMasksByStem() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try scratch.image("train/good/000.png")
        try scratch.image("test/good/000.png")
        try scratch.image("test/crack/000.png")
        try scratch.image("ground_truth/crack/000_mask.png", value: 255)
        let dataset = try DatasetFormats.load(scratch.root, format: "mvtec")
        #expect(dataset.categories == ["good", "crack"])
        try scratch.image("test/hole/001.png")
        #expect(throws: DatasetError.self) { try DatasetFormats.load(scratch.root, format: "mvtec") }
    }

    @Test func deepPCBRejectsAMalformedBoxLine() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try scratch.image("PCBData/group1/1/00000001_temp.jpg")
        try scratch.image("PCBData/group1/1/00000001_test.jpg")
        try scratch.text("PCBData/group1/1_not/00000001.txt", "1 2 3\n")
        do {
            _ = try DatasetFormats.load(scratch.root)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.description.hasSuffix("00000001.txt:1: cannot read box '1 2 3' (expected 'x1 y1 x2 y2 type')"))
        }
    }

    @Test func missingEmptyAndUnknownFoldersExplainThemselves() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        #expect(throws: DatasetError.missingFolder(scratch.root)) { try DatasetFormats.load(scratch.root) }
        try FileManager.default.createDirectory(at: scratch.root.appendingPathComponent("normal"), withIntermediateDirectories: true)
        #expect(throws: DatasetError.noNormalImages(scratch.root.appendingPathComponent("normal"))) {
            try DatasetFormats.load(scratch.root)
        }
        #expect(throws: DatasetError.unknownFormat("kitti", known: DatasetFormats.all.map(\.name))) {
            try DatasetFormats.load(scratch.root, format: "kitti")
        }
    }

    @Test func maskOfAnotherSizeIsRefusedNamingBothFiles() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try scratch.image("normal/0.png")
        try scratch.image("abnormal/a.png", width: 8, height: 6)
        try scratch.image("masks/a.png", width: 4, height: 6, value: 255)
        let dataset = try DatasetFormats.load(scratch.root)
        let anomalous = try #require(dataset.test.first { $0.label == .anomalous })
        #expect(throws: SampleError.self) { try anomalous.load() }
    }
}
