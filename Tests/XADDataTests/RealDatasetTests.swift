import Foundation
import Testing
import XADData
import XADTensor
import XADTestSupport

@Suite("Dataset formats on the real data in ../shared/data")
struct RealDatasetTests {
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func mtdProtocolV1SplitsAsSpecified() throws {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"))
        #expect(dataset.name == "MTD v1")
        // 952 defect-free images: indices 1, 5, 9, ... train; 0, 4, 8, ... normal test.
        #expect(dataset.train.count == 238)
        #expect(dataset.test.filter { $0.label == .normal }.count == 238)
        #expect(dataset.test.filter { $0.label == .anomalous }.count == 392)
        #expect(dataset.categories == ["good"] + MTDProtocolV1.defectClasses)
        let names = dataset.train.map(\.name)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func mtdMaskLoadsBinaryAtTheImageSize() throws {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let crack = try #require(dataset.test.first { $0.category == "MT_Crack" })
        let sample = try crack.load()
        #expect(sample.image.shape[0] == 1 && sample.image.shape[1] == 1)   // grayscale JPEG
        #expect(sample.mask.shape == [1, 1, sample.image.shape[2], sample.image.shape[3]])
        let values = Set(sample.mask.scalars)
        #expect(values == [0, 1])
    }

    @Test(.enabled(if: SharedData.shouldTest("deeppcb")))
    func deepPCBPairsBecomeTemplatesAndBoxMasks() throws {
        let dataset = try DatasetFormats.load(SharedData.url("deeppcb"))
        #expect(dataset.name == "DeepPCB")
        let anomalous = dataset.test.filter { $0.label == .anomalous }
        let normalTest = dataset.test.filter { $0.label == .normal }
        // Every fourth pair is held out whole: its template is a normal test image, its defective
        // image an anomalous one; the other templates are training images.
        #expect(normalTest.count == anomalous.count)
        let pairs = dataset.train.count + normalTest.count
        #expect(normalTest.count == (pairs + 3) / 4)
        let first = try #require(anomalous.first)
        guard case .boxes(let boxes) = first.mask else { Issue.record("expected boxes"); return }
        #expect(!boxes.isEmpty)
        let sample = try first.load()
        #expect(sample.size == Size2(height: 640, width: 640))
        let box = boxes[0]
        #expect(sample.mask[0, 0, box.y1, box.x1] == 1)
        #expect(sample.mask[0, 0, box.y2, box.x2] == 0 || boxes.count > 1)
        let inside = boxes.reduce(0) { $0 + ($1.x2 - $1.x1) * ($1.y2 - $1.y1) }
        #expect(Int(try sample.mask.sum().scalar ?? 0) <= inside)
    }
}
