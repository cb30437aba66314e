import Foundation
import Testing
import XADDetect
import XADImage
import XADTensor
import XADTestSupport

@Suite("Autoencoder detector")
struct AutoEncoderTests {
    /// Eight gray 32x32 images of a soft horizontal bar at seeded heights.
    static func bars(count: Int = 8, seed: UInt64 = 4) throws -> [Tensor] {
        var generator = SeededGenerator(seed: seed)
        return try (0..<count).map { _ in
            let centre = 12 + Float(generator.next() % 8)
            let pixels = (0..<(32 * 32)).map { i -> Float in
                let y = Float(i / 32)
                return 0.2 + 0.6 * Float(exp(-Double((y - centre) * (y - centre)) / 8))
            }
            return try Tensor(shape: [1, 1, 32, 32], scalars: pixels)
        }
    }

    static let setup = DetectorSetup(backbone: DetectorSetup.noBackbone, layers: AutoEncoder.defaultLayers,
                                     preprocessing: Preprocessing(imageSize: Size2(32), mean: [0.5], std: [0.5],
                                                                  grayscaleToRGB: false))

    static func fitted(epochs: Int = 30, residual: ReconstructionResidual = .l2) throws -> AutoEncoder {
        var options = AutoEncoder.Options()
        options.epochs = epochs
        options.loss = residual
        options.map = residual
        options.batchSize = 4
        options.learningRate = 3e-3
        let context = FitContext(images: InMemoryImages(try bars()), validation: InMemoryImages(try bars(count: 2, seed: 9)),
                                 setup: setup, backbone: nil, training: TrainingSettings(seed: 1))
        return try AutoEncoder.fit(context, options: options)
    }

    @Test(arguments: [ReconstructionResidual.l2, .ssim])
    func trainsOnGrayImagesRecordsTrainingAndLocalisesADefect(residual: ReconstructionResidual) throws {
        let model = try Self.fitted(residual: residual)
        let record = try #require(model.trainingRecord)
        #expect(record.epochs == 30 && record.losses.count == 30 && record.validationLosses.count == 30 && record.seed == 1)
        #expect(record.losses[29] < record.losses[0] / 4, "\(record.losses)")

        var defect = try Self.bars(count: 1, seed: 20)[0].scalars
        for y in 2..<8 { for x in 20..<26 { defect[y * 32 + x] = 1 } }   // a bright block far from the bar
        let results = try model.score(images: [try Self.bars(count: 1, seed: 21)[0], try Tensor(shape: [1, 1, 32, 32], scalars: defect)])
        // 1 - SSIM saturates near 1 wherever structure is lost, so its scores differ less than squared errors.
        #expect(results[1].score > (residual == .l2 ? 2 : 1.05) * results[0].score, "\(results.map(\.score))")
        // The map peaks inside the block.
        let map = results[1].map.scalars
        let peak = try #require(map.indices.max { map[$0] < map[$1] })
        #expect((1..<9).contains(peak / 32) && (19..<27).contains(peak % 32), "peak at \(peak / 32), \(peak % 32)")
    }

    @Test func theMapIsDifferentiableWithRespectToTheInput() throws {
        let model = try Self.fitted(epochs: 2)
        let image = try Self.setup.preprocessing(try Self.bars(count: 1, seed: 30)[0])
        let tape = GradientTape()
        let input = tape.watch(image)
        let output = try model.differentiableForward(batch: input)
        #expect(output.map.shape == [1, 32, 32] && output.activations["encoder"]?.shape == [1, 64, 4, 4])
        let gradient = try tape.gradient(of: try output.map.sum(), withRespectTo: input)
        // Central finite difference of the summed map at one pixel, in Float: a loose tolerance.
        let index = 16 * 32 + 5, step: Float = 1e-2
        func summedMap(_ delta: Float) throws -> Float {
            var pixels = image.scalars
            pixels[index] += delta
            return try model.differentiableForward(batch: Tensor(shape: image.shape, scalars: pixels)).map.sum().scalar ?? .nan
        }
        let numeric = (try summedMap(step) - summedMap(-step)) / (2 * step)
        let analytic = gradient.scalars[index]
        #expect(abs(numeric - analytic) <= 0.05 * Swift.max(abs(analytic), 0.1), "numeric \(numeric), analytic \(analytic)")
    }

    @Test func refusesImagesOfAnotherSizeOrChannelCount() throws {
        let model = try Self.fitted(epochs: 1)
        #expect(throws: DetectorError.self) { try model.score(batch: Tensor.zeros([1, 3, 32, 32])) }
        var options = AutoEncoder.Options()
        options.depth = 6   // 32 is not a multiple of 64
        let context = FitContext(images: InMemoryImages(try Self.bars()), setup: Self.setup, backbone: nil)
        #expect(throws: DetectorError.self) { try AutoEncoder.fit(context, options: options) }
    }

    @Test func theSSIMLossIsOneMinusTheMeanSSIMMapAndItsGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 6)
        let input = Tensor.uniform([1, 1, 12, 12], generator: &generator)
        let start = Tensor.uniform([1, 1, 12, 12], generator: &generator)
        let settings = SSIMSettings.gaussian(dataRange: 1)
        let loss = { (x: Tensor) in try ReconstructionResidual.ssim.loss(input, x, ssim: settings) }
        let expected = 1 - (try input.structuralSimilarityMap(start, settings).mean().scalar ?? .nan)
        #expect(abs((try loss(start).scalar ?? .nan) - expected) < 1e-6)
        let tape = GradientTape()
        let x = tape.watch(start)
        let analytic = try tape.gradient(of: try loss(x), withRespectTo: x)
        // tolerance: 5e-4 absolute (gradients of a mean over 144 pixels are about 1e-2; central
        // differences of step 1e-3 in Float32)
        let numeric = try numericalGradient(of: loss, at: start, epsilon: 1e-3)
        #expect(toleranceRatio(analytic, numeric, absolute: 5e-4, relative: 0) <= 1)
        #expect(analytic.scalars.contains { abs($0) > 1e-3 })
    }
}
