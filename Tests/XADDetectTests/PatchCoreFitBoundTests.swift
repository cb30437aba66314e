import Foundation
import Testing
import XADDetect
import XADImage
import XADModels
import XADTensor

/// PatchCore's bound on the training patches held while fitting (`maximumFitPatches`).
@Suite("PatchCore fit bound")
struct PatchCoreFitBoundTests {
    /// Four seeded noise images at 64 x 64: with `stage2` + `stage3`, an 8 x 8 grid, 256 patches in all.
    static let images: [Tensor] = {
        var generator = SeededGenerator(seed: 21)
        return (0..<4).map { _ in Tensor.uniform([1, 3, 64, 64], generator: &generator) }
    }()

    static func fit(_ configure: (inout PatchCore.Options) -> Void) throws -> PatchCore {
        var options = PatchCore.Options()
        options.coresetRatio = 1
        configure(&options)
        let setup = DetectorSetup(layers: PatchCore.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(64)))
        return try PatchCore.fit(on: InMemoryImages(images), setup: setup, options: options,
                                 backbone: try Backbones.load("efficientnet-lite0"), progress: nil)
    }

    static func sources(of model: PatchCore) throws -> [PatchLocation] {
        let locations = try #require(model.fittedTensors["bank_sources"]).scalars
        return stride(from: 0, to: locations.count, by: 3).map {
            PatchLocation(image: Int(locations[$0]), row: Int(locations[$0 + 1]), column: Int(locations[$0 + 2]))
        }
    }

    /// 40 patches for 4 images: each image holds 10 of its 64; the coreset at ratio 1 takes every
    /// held patch but its first centre (39), and each bank patch is the one its source names: a
    /// training image's patch there finds itself (distance 0 up to the float32 rounding of the
    /// GEMM form `|q|² + |b|² - 2 q·b`; tolerance 1% of the image's largest patch distance).
    @Test func aBoundedFitHoldsAnEqualShareOfEachImagesPatches() throws {
        let model = try Self.fit { $0.maximumFitPatches = 40 }
        let sources = try Self.sources(of: model)
        #expect(sources.count == 39)
        #expect(Set(sources).count == 39)
        for image in 0..<4 { #expect(sources.filter { $0.image == image }.count <= 10) }
        for image in 0..<4 {
            let result = try model.score(image: Self.images[image])
            let scores = result.provenance.patchScores.scalars
            let largest = try #require(scores.max())
            for source in sources where source.image == image {
                let cell = source.row * result.provenance.grid.width + source.column
                #expect(result.provenance.nearestNormal[cell] == source)
                #expect(scores[cell] < 0.01 * largest)
            }
        }
    }

    /// A bound at or above the patches the images give changes nothing: the same bank as with no bound.
    @Test func aBoundAboveThePatchesChangesNothing() throws {
        let unbounded = try Self.fit { $0.maximumFitPatches = nil; $0.coresetRatio = 0.25 }
        let bounded = try Self.fit { $0.maximumFitPatches = 256; $0.coresetRatio = 0.25 }
        #expect(unbounded.fittedTensors["memory_bank"]?.scalars == bounded.fittedTensors["memory_bank"]?.scalars)
        #expect(try Self.sources(of: unbounded) == Self.sources(of: bounded))
    }

    @Test func aBoundBelowOnePatchIsRefused() throws {
        #expect(throws: OptionError.self) { try Self.fit { $0.maximumFitPatches = 0 } }
    }
}
