import Foundation
import Testing
import XADDetect
import XADImage
import XADModels
import XADTensor

@Suite("kNN (SPADE) detector")
struct SPADETests {
    /// Four seeded noise images at 64 x 64 and a kNN model fitted on them (real backbone,
    /// `stage1` + `stage2`: a 16 x 16 patch grid).
    static func smallModel(_ options: SPADE.Options = SPADE.Options()) throws -> (SPADE, [Tensor]) {
        var generator = SeededGenerator(seed: 11)
        let images = (0..<4).map { _ in Tensor.uniform([1, 3, 64, 64], generator: &generator) }
        let setup = DetectorSetup(layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)))
        let model = try SPADE.fit(on: InMemoryImages(images), setup: setup, options: options,
                                  backbone: try Backbones.load("efficientnet-lite0"), progress: nil)
        return (model, images)
    }

    @Test func isRegisteredAsKNN() throws {
        #expect(try Detectors.named("knn") is SPADE.Type)
    }

    @Test func aSavedModelScoresIdenticallyAfterLoading() throws {
        let (model, training) = try Self.smallModel()
        var generator = SeededGenerator(seed: 12)
        let test = Tensor.uniform([1, 3, 64, 64], generator: &generator)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xad-knn-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        let restored = try SavedModel.load(url)
        #expect(type(of: restored.detector).name == "spade")
        for image in [test, training[1]] {
            let before = try model.score(image: image), after = try restored.detector.score(image: image)
            #expect(before.score == after.score)
            #expect(before.map.scalars == after.map.scalars)
            #expect(before.provenance.nearestNormal == after.provenance.nearestNormal)
        }
    }

    /// A training image's nearest image is itself (distance 0 up to the float32 rounding of
    /// `|q|² + |b|² - 2 q·b`), and each of its patches finds itself in the gallery.
    @Test func aTrainingImageMatchesItself() throws {
        var options = SPADE.Options()
        options.imageNeighbours = 1
        let (model, training) = try Self.smallModel(options)
        var generator = SeededGenerator(seed: 13)
        let unseen = try model.score(image: Tensor.uniform([1, 3, 64, 64], generator: &generator))
        let seen = try model.score(image: training[2])
        // tolerance: 1% of an unseen image's score (cancellation in the GEMM form of the distance).
        #expect(seen.score < 0.01 * unseen.score)
        let seenPeak = try #require(seen.map.max().scalar), unseenPeak = try #require(unseen.map.max().scalar)
        #expect(seenPeak < 0.01 * unseenPeak)
        let grid = seen.provenance.grid
        #expect(grid == Size2(16))
        let itself = (0..<(grid.height * grid.width)).map {
            PatchLocation(image: 2, row: $0 / grid.width, column: $0 % grid.width)
        }
        #expect(seen.provenance.nearestNormal == itself)
    }

    /// A bright square pasted into a training image: the map peaks inside the square, and the
    /// image scores above its clean self.
    @Test func aPastedSquareShowsUpInTheMap() throws {
        let (model, training) = try Self.smallModel()
        let square = 24..<40
        let damaged = Tensor(shape: [1, 3, 64, 64]) { out in
            training[0].withUnsafeBufferPointer { source in
                for i in 0..<source.count {
                    let (row, column) = (i / 64 % 64, i % 64)
                    out[i] = square.contains(row) && square.contains(column) ? 1 : source[i]
                }
            }
        }
        let clean = try model.score(image: training[0]), result = try model.score(image: damaged)
        #expect(result.score > clean.score)
        let map = result.map.scalars
        let peak = try #require(map.indices.max { map[$0] < map[$1] })
        #expect(square.contains(peak / 64) && square.contains(peak % 64))
        let inside = map.indices.filter { square.contains($0 / 64) && square.contains($0 % 64) }.map { map[$0] }
        let outside = map.indices.filter { !(square.contains($0 / 64) && square.contains($0 % 64)) }.map { map[$0] }
        let insideMean = inside.reduce(0, +) / Float(inside.count), outsideMean = outside.reduce(0, +) / Float(outside.count)
        #expect(insideMean > 3 * outsideMean)
    }

    @Test func nonPositiveNeighbourCountsAreRefused() throws {
        var options = SPADE.Options()
        options.galleryImages = 0
        #expect(throws: OptionError.self) { try Self.smallModel(options) }
    }
}
