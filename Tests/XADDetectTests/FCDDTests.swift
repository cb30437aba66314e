import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADImage
import XADModels
import XADTensor
import XADTestSupport

/// FCDD's loss and heat-map upsampling against a PyTorch transcription of the authors' code
/// (`Tools/reference/gen_fcdd.py`, `Tests/Fixtures/fcdd/`), its gradient against finite
/// differences, and the detector end to end.
@Suite("FCDD")
struct FCDDTests {
    /// The image-level HSC loss and d loss / d φ equal FCDD's `__supervised_loss` within 1e-5
    /// absolute plus 1e-5 relative.
    @Test func imageLevelLossMatchesFCDD() throws {
        let fixture = try Fixture("fcdd/image_loss.json")
        let labels = try #require(fixture["labels"]?.ints).map(Float.init)
        let tape = GradientTape()
        let phi = tape.watch(try fixture.tensor("phi"))
        let loss = try HypersphereClassifierLoss.imageLevel(HypersphereClassifierLoss.pseudoHuber(phi), labels: labels)
        let expected = try #require(fixture["loss"]?.float)
        #expect(abs(try #require(loss.scalar) - expected) <= 1e-5 * (1 + abs(expected)))
        let gradient = try tape.gradient(of: loss, withRespectTo: phi)
        #expect(toleranceRatio(gradient, try fixture.tensor("dphi"), absolute: 1e-5, relative: 1e-5) <= 1)
    }

    /// The receptive-field upsampling equals FCDD's `_receptive_field_map` (and, for the small
    /// field, the kernel its `gkern`) within 1e-5 absolute plus 1e-5 relative: an odd field (67,
    /// jump 8, FCDD's default σ) and an even one (10, jump 4, σ 2).
    @Test(arguments: ["odd", "even"])
    func upsamplingMatchesFCDD(_ name: String) throws {
        let fixture = try Fixture("fcdd/upsampling_\(name).json")
        let (r, j) = (try #require(fixture["r"]?.int), try #require(fixture["j"]?.int))
        let upsampling = ReceptiveFieldUpsampling(receptiveField: r, jump: j, sigma: fixture["sigma"]?.float)
        let size = try #require(fixture["image_size"]?.int)
        let output = try upsampling(try fixture.tensor("map"), to: Size2(size))
        #expect(toleranceRatio(output, try fixture.tensor("y"), absolute: 1e-5, relative: 1e-5) <= 1)
        if fixture.keys.contains("kernel") {
            let kernel = ReceptiveFieldUpsampling.gaussianKernel(size: r, sigma: upsampling.sigma)
            #expect(toleranceRatio(kernel, try fixture.tensor("kernel"), absolute: 1e-6, relative: 1e-5) <= 1)
        }
    }

    /// The pixel-level loss on upsampled scores, with one all-normal mask, and d loss / d φ equal
    /// FCDD's `__gt_loss` within 1e-5 absolute plus 1e-4 relative.
    @Test func pixelLevelLossMatchesFCDD() throws {
        let fixture = try Fixture("fcdd/pixel_loss.json")
        let upsampling = ReceptiveFieldUpsampling(receptiveField: try #require(fixture["r"]?.int), jump: try #require(fixture["j"]?.int))
        let tape = GradientTape()
        let phi = tape.watch(try fixture.tensor("phi"))
        let scores = try upsampling(HypersphereClassifierLoss.pseudoHuber(phi), to: Size2(try #require(fixture["image_size"]?.int)))
        let loss = try HypersphereClassifierLoss.pixelLevel(scores, masks: try fixture.tensor("masks"))
        let expected = try #require(fixture["loss"]?.float)
        #expect(abs(try #require(loss.scalar) - expected) <= 1e-5 * (1 + abs(expected)))
        let gradient = try tape.gradient(of: loss, withRespectTo: phi)
        #expect(toleranceRatio(gradient, try fixture.tensor("dphi"), absolute: 1e-5, relative: 1e-4) <= 1)
    }

    /// d loss / d φ of both loss forms equals central differences (ε = 1e-2) within 1e-3
    /// absolute plus 2 % relative.
    @Test func lossGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 8)
        let phi = Tensor.normal([2, 1, 3, 3], generator: &generator)
        let masks = try Tensor(shape: [2, 1, 12, 12], scalars: (0..<288).map { $0 >= 144 && ($0 % 12) < 5 ? 1 : 0 })
        let upsampling = ReceptiveFieldUpsampling(receptiveField: 7, jump: 4, start: 1)
        let losses: [(Tensor) throws -> Tensor] = [
            { try HypersphereClassifierLoss.imageLevel(HypersphereClassifierLoss.pseudoHuber($0), labels: [0, 1]) },
            { try HypersphereClassifierLoss.pixelLevel(upsampling(HypersphereClassifierLoss.pseudoHuber($0), to: Size2(12)), masks: masks) },
        ]
        for loss in losses {
            let tape = GradientTape()
            let watched = tape.watch(phi)
            let analytic = try tape.gradient(of: try loss(watched), withRespectTo: watched)
            let numeric = try numericalGradient(of: loss, at: phi)
            #expect(toleranceRatio(analytic, numeric, absolute: 1e-3, relative: 2e-2) <= 1)
        }
    }

    /// EfficientNet-Lite0's receptive fields by the receptive-field arithmetic of its layout:
    /// stage1 19 pixels at jump 4, stage2 67 at jump 8, stage3 339 at jump 16.
    @Test func receptiveFieldsOfEfficientNetLite0() throws {
        let backbone = try Backbones.load("efficientnet-lite0")
        for (layer, field, jump) in [("stage1", 19, 4), ("stage2", 67, 8), ("stage3", 339, 16)] {
            let upsampling = try ReceptiveFieldUpsampling.forTap(layer, of: backbone, receptiveField: nil, sigma: nil)
            #expect(upsampling.receptiveField == field && upsampling.jump == jump, "\(layer): \(upsampling)")
        }
    }

    /// Both kinds of synthetic anomaly change exactly the pixels their masks mark, at least one,
    /// and the same seed gives the same anomalies.
    @Test(arguments: OutlierExposure.allCases)
    func syntheticAnomaliesChangeTheirMaskedPixels(_ kind: OutlierExposure) throws {
        let preprocessing = Preprocessing(imageSize: Size2(64))
        let images = try Tensor.concatenate(try DetectorContract.normalImages(count: 2).map { try preprocessing($0) }, axis: 0)
        var first = SeededGenerator(seed: 3), second = SeededGenerator(seed: 3)
        let made = try kind.make(from: images, copies: 2, preprocessing: preprocessing, generator: &first)
        let again = try kind.make(from: images, copies: 2, preprocessing: preprocessing, generator: &second)
        #expect(made.images.shape == [4, 3, 64, 64] && made.masks.shape == [4, 1, 64, 64])
        #expect(made.images.scalars == again.images.scalars)
        let plane = 64 * 64
        for n in 0..<4 {
            let original = try images.sliced(axis: 0, range: (n / 2)..<(n / 2 + 1)).scalars
            let changed = try made.images.sliced(axis: 0, range: n..<(n + 1)).scalars
            let mask = try made.masks.sliced(axis: 0, range: n..<(n + 1)).scalars
            let differs = (0..<plane).map { p in (0..<3).contains { abs(changed[$0 * plane + p] - original[$0 * plane + p]) > 1e-6 } }
            #expect(mask.contains(1))
            // A pasted or shifted pixel may by chance keep its value; no unmasked pixel may change.
            #expect(zip(differs, mask).allSatisfy { !$0 || $1 == 1 })
            #expect(Double(zip(differs, mask).filter { $0 && $1 == 1 }.count) >= 0.5 * Double(mask.filter { $0 == 1 }.count))
        }
    }

    /// Trained on the contract's synthetic images: the loss falls, the recorded map is the
    /// scored map, the score is the mean of the low-resolution output, and the map's gradient
    /// with respect to the input is finite and not zero.
    @Test func trainsAndItsMapIsDifferentiable() throws {
        var options = FCDD.Options()
        options.epochs = 10
        let setup = DetectorContract.setup(for: FCDD.self)
        let context = FitContext(images: InMemoryImages(try DetectorContract.normalImages()), setup: setup,
                                 backbone: try Backbones.load(setup.backbone))
        let model = try FCDD.fit(context, options: options)
        let losses = try #require(model.trainingRecord?.losses)
        #expect(losses.count == 10 && losses[9] < losses[0], "\(losses)")

        let image = try setup.preprocessing(try DetectorContract.anomalousImage())
        let scored = try model.score(batch: image)[0]
        #expect(abs(scored.score - (try #require(try scored.provenance.patchScores.mean().scalar))) <= 1e-6 * (1 + scored.score))
        let tape = GradientTape()
        let input = tape.watch(image)
        let output = try model.differentiableForward(batch: input)
        #expect(toleranceRatio(try output.map.reshaped([64, 64]), scored.map, absolute: 1e-6, relative: 1e-5) <= 1)
        #expect(Set(output.activations.keys) == Set(FCDD.defaultLayers))
        let gradient = try tape.gradient(of: try output.map.sum(), withRespectTo: input)
        #expect(gradient.scalars.allSatisfy(\.isFinite) && gradient.scalars.contains { $0 != 0 })
    }
}
