import Foundation
import Testing
@testable import XADDetect
import XADImage
import XADTensor
import XADTestSupport

@Suite("VAE detector")
struct VAETests {
    static func fitted(epochs: Int = 30, map: VAE.MapKind = .residual) throws -> VAE {
        var options = VAE.Options()
        options.epochs = epochs
        options.batchSize = 4
        options.learningRate = 3e-3
        options.latent = 8
        options.map = map
        let context = FitContext(images: InMemoryImages(try AutoEncoderTests.bars()),
                                 validation: InMemoryImages(try AutoEncoderTests.bars(count: 2, seed: 9)),
                                 setup: AutoEncoderTests.setup, backbone: nil, training: TrainingSettings(seed: 1))
        return try VAE.fit(context, options: options)
    }

    @Test func theKLTermIsTheClosedFormAndItsGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 2)
        let mean = Tensor.normal([2, 3, 1, 1], generator: &generator)
        let logVariance = Tensor.normal([2, 3, 1, 1], std: 0.5, generator: &generator)
        let kl = try VAENetwork.klDivergence(mean: mean, logVariance: logVariance).scalars
        // The closed form in Double: 0.5 Σ (μ² + σ² - log σ² - 1). tolerance: 1e-5 relative.
        for n in 0..<2 {
            let terms = (0..<3).map { i -> Double in
                let (m, v) = (Double(mean.scalars[n * 3 + i]), Double(logVariance.scalars[n * 3 + i]))
                return m * m + Foundation.exp(v) - v - 1
            }
            let expected = 0.5 * terms.reduce(0, +)
            #expect(abs(Double(kl[n]) - expected) <= 1e-5 * expected, "image \(n): \(kl[n]) vs \(expected)")
        }
        // And the closed form is the KL divergence: a Monte Carlo estimate of
        // E_q[log q(z) - log p(z)] over 200,000 draws agrees within 2 %.
        var draws = SeededGenerator(seed: 3)
        var total = 0.0
        let samples = 200_000
        for _ in 0..<samples {
            for i in 0..<3 {
                let (m, s) = (Double(mean.scalars[i]), Foundation.exp(0.5 * Double(logVariance.scalars[i])))
                let e = Double(draws.nextNormal())
                let z = m + s * e
                total += (-0.5 * e * e - Foundation.log(s)) - (-0.5 * z * z)
            }
        }
        #expect(abs(total / Double(samples) - Double(kl[0])) <= 0.02 * Double(kl[0]))

        // Gradients in μ and log σ² (analytic μ and (σ² - 1) / 2), by central differences.
        let tape = GradientTape()
        let (m, v) = (tape.watch(mean), tape.watch(logVariance))
        let gradients = try tape.gradients(of: try VAENetwork.klDivergence(mean: m, logVariance: v).sum(), withRespectTo: [m, v])
        let numericMean = try numericalGradient(of: { try VAENetwork.klDivergence(mean: $0, logVariance: logVariance) }, at: mean)
        let numericLogVariance = try numericalGradient(of: { try VAENetwork.klDivergence(mean: mean, logVariance: $0) }, at: logVariance)
        // tolerance: 1e-3 absolute, 1e-2 relative (central differences of step 1e-2 in Float32)
        #expect(toleranceRatio(gradients[0], numericMean, absolute: 1e-3, relative: 1e-2) <= 1)
        #expect(toleranceRatio(gradients[1], numericLogVariance, absolute: 1e-3, relative: 1e-2) <= 1)
    }

    @Test func trainsScoresReconstructionPlusKLAndLocalisesADefect() throws {
        let model = try Self.fitted()
        let record = try #require(model.trainingRecord)
        #expect(record.epochs == 30 && record.validationLosses.count == 30 && record.losses[29] < record.losses[0] / 2,
                "\(record.losses)")
        var defect = try AutoEncoderTests.bars(count: 1, seed: 20)[0].scalars
        for y in 2..<8 { for x in 20..<26 { defect[y * 32 + x] = 1 } }
        let normal = try AutoEncoderTests.bars(count: 1, seed: 21)[0]
        let results = try model.score(images: [normal, try Tensor(shape: [1, 1, 32, 32], scalars: defect)])
        // The score sums the residual over all 1,024 pixels and adds the KL: a 36-pixel block raises it
        // by a third or more (measured 1.45x).
        #expect(results[1].score > 1.3 * results[0].score, "\(results.map(\.score))")
        let map = results[1].map.scalars
        let peak = try #require(map.indices.max { map[$0] < map[$1] })
        #expect((1..<9).contains(peak / 32) && (19..<27).contains(peak % 32), "peak at \(peak / 32), \(peak % 32)")

        // The score is Σ (x - x̂)² + KL at z = μ, recomputed here from the network's pass.
        let prepared = try AutoEncoderTests.setup.preprocessing(normal)
        let pass = try model.network.forward(prepared)
        let residual = try (prepared - pass.reconstruction).squared().sum().scalar ?? .nan
        let kl = try VAENetwork.klDivergence(mean: pass.mean, logVariance: pass.logVariance).scalars[0]
        #expect(abs(results[0].score - (residual + kl)) <= 1e-4 * results[0].score)
    }

    @Test func theAttentionMapIsGradCAMOfTheLatentMeanOnTheEncodersFeatures() throws {
        let model = try Self.fitted(epochs: 3, map: .attention)
        let image = try AutoEncoderTests.setup.preprocessing(try AutoEncoderTests.bars(count: 1, seed: 30)[0])
        let tape = GradientTape()
        let input = tape.watch(image)
        let output = try model.differentiableForward(batch: input)
        let features = try #require(output.activations["encoder"]), mean = try #require(output.activations["mean"])
        #expect(features.shape == [1, 64, 4, 4] && mean.shape == [1, 8, 1, 1] && output.map.shape == [1, 32, 32])

        // Liu et al. by the letter: for each latent i, back-propagate μ_i to the feature map,
        // average the gradient over the grid per channel, weight the channels, ReLU, sum over i.
        var attention = [Float](repeating: 0, count: 16)
        for i in 0..<8 {
            let component = try mean.sliced(axis: 1, range: i..<(i + 1)).sum()
            let gradient = try tape.gradient(of: component, withRespectTo: features).scalars
            for cell in 0..<16 {
                var value: Float = 0
                for k in 0..<64 {
                    let alpha = (0..<16).reduce(Float(0)) { $0 + gradient[k * 16 + $1] } / 16
                    value += alpha * features.scalars[k * 16 + cell]
                }
                attention[cell] += Swift.max(value, 0)
            }
        }
        let expected = try Tensor(shape: [1, 1, 4, 4], scalars: attention).resized(to: Size2(32), mode: .bilinear)
        // tolerance: 1e-4 relative to the map's largest value (sums in another order)
        let largest = try #require(expected.scalars.max())
        #expect(largest > 0)
        #expect(toleranceRatio(output.map, try expected.reshaped([1, 32, 32]), absolute: 1e-4 * largest, relative: 0) <= 1)

        // Differentiable in the input: Grad-CAM-style explainers can run through it.
        let gradient = try tape.gradient(of: try output.map.sum(), withRespectTo: input)
        #expect(gradient.scalars.contains { $0 != 0 } && gradient.scalars.allSatisfy(\.isFinite))
    }

    @Test func refusesImagesOfAnotherSizeAndBadOptions() throws {
        let model = try Self.fitted(epochs: 1)
        #expect(throws: DetectorError.self) { try model.score(batch: Tensor.zeros([1, 1, 16, 16])) }
        var options = VAE.Options()
        options.beta = -1
        #expect(throws: OptionError.self) { try options.validate(method: VAE.name) }
        options = VAE.Options()
        options.depth = 6
        let context = FitContext(images: InMemoryImages(try AutoEncoderTests.bars()), setup: AutoEncoderTests.setup, backbone: nil)
        #expect(throws: DetectorError.self) { try VAE.fit(context, options: options) }
    }
}
