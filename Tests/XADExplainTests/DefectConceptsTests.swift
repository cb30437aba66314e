import Foundation
import Testing
import XADData
import XADExplain
import XADImage
import XADTensor
import XADTestSupport

/// Concept folders built from masked defects (``DefectConcepts``).
@Suite("Defect concept folders")
struct DefectConceptsTests {
    /// A 64 x 64 gray image whose pixel values are multiples of 1/255 (so PNG round trips exactly).
    static func image(seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [1, 1, 64, 64]) { out in
            for i in 0..<out.count { out[i] = Float(generator.next() % 256) / 255 }
        }
    }

    /// 4 crack and 2 blowhole test images (a box each) and 3 normal training images, as PNGs.
    static func dataset() throws -> (Dataset, [URL: Tensor]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-defects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var images: [URL: Tensor] = [:]
        func file(_ name: String, seed: UInt64) throws -> URL {
            let url = root.appendingPathComponent("\(name).png")
            images[url] = image(seed: seed)
            try Image(tensor: image(seed: seed)).write(to: url)
            return url
        }
        let box = DefectBox(x1: 20, y1: 10, x2: 30, y2: 20)
        var test: [SampleReference] = []
        for i in 0..<4 { test.append(SampleReference(image: try file("crack\(i)", seed: UInt64(i)), label: .anomalous, category: "MT_Crack", mask: .boxes([box]))) }
        for i in 0..<2 { test.append(SampleReference(image: try file("hole\(i)", seed: UInt64(10 + i)), label: .anomalous, category: "MT_Blowhole", mask: .boxes([box]))) }
        test.append(SampleReference(image: try file("nomask", seed: 20), label: .anomalous, category: "MT_Blowhole", mask: .boxes([])))
        let train = try (0..<3).map { SampleReference(image: try file("free\($0)", seed: UInt64(30 + $0)), label: .normal, category: "good") }
        return (Dataset(name: "synthetic", train: train, test: test), images)
    }

    // The 10 x 10 box at x 20..<30, y 10..<20 gets the 32-pixel minimum side, centred at (25, 15)
    // and moved inside the image: rows 0..<32, columns 9..<41. Written at 32 px, no resampling,
    // so the crop equals those pixels exactly.
    @Test func cropsEachDefectAndSkipsTheFirstImages() throws {
        let (dataset, images) = try Self.dataset()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("xad-concepts-out-\(UUID().uuidString)")
        let builder = DefectConcepts(cropSize: 32, skipFirst: 1, perConcept: 2, randomImages: 7)
        let summary = try builder.write(dataset, to: out)
        #expect(summary.concepts == ["crack": 2, "blowhole": 1])
        #expect(summary.withoutMask == 1)
        #expect(summary.randomImages == 7)
        let crackFiles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("crack").path).sorted()
        #expect(crackFiles == ["crack1.png", "crack2.png"])
        let crop = try Image(contentsOf: out.appendingPathComponent("crack/crack1.png")).toTensor()
        let source = try #require(images[dataset.test[1].image])
        let expected = try source.sliced(axis: 2, range: 0..<32).sliced(axis: 3, range: 9..<41)
        #expect(crop.scalars == expected.scalars)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("random").path).count == 7)
        // A folder that is not empty is refused, and nothing is left beside it.
        #expect(throws: ExplainerError.self) { try builder.write(dataset, to: out) }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.hasPrefix(".\(out.lastPathComponent)") })
    }

    @Test func conceptNamesDropTheDatasetPrefix() {
        #expect(DefectConcepts.conceptName("MT_Crack") == "crack")
        #expect(DefectConcepts.conceptName("bent lead") == "bent_lead")
    }

    // MTD v1: the folder the README's experiment uses, small: 5 crops per class after skipping 3.
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func buildsAReadableFolderFromMTD() throws {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("xad-mtd-concepts-\(UUID().uuidString)")
        let summary = try DefectConcepts(cropSize: 64, skipFirst: 3, perConcept: 5, randomImages: 50).write(dataset, to: out)
        #expect(summary.concepts == ["blowhole": 5, "break": 5, "crack": 5, "fray": 5, "uneven": 5])
        let sets = try ConceptSets(folder: out)
        #expect(sets.concepts.map(\.name) == ["blowhole", "break", "crack", "fray", "uneven"])
        #expect(sets.randomSets.count == 10)
        let skipped = dataset.test.filter { $0.category == "MT_Crack" }.prefix(3).map { $0.image.deletingPathExtension().lastPathComponent + ".png" }
        let written = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("crack").path)
        #expect(Set(written).isDisjoint(with: skipped))
    }
}
