import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

@Suite("Mahalanobis")
struct MahalanobisTests {
    /// scikit-learn's `LedoitWolf` on seeded correlated samples, with more samples than
    /// dimensions (40 x 6) and fewer (8 x 12, where the plain covariance is singular)
    /// (`Tests/Fixtures/mahalanobis/ledoit_wolf.json`, `Tools/reference/gen_mahalanobis.py`):
    /// the mean within 1e-5 and `mahalanobis(queries)` (squared distances) within 1e-3 relative
    /// (float32 storage of a precision matrix with condition numbers in the hundreds).
    @Test(arguments: ["tall", "wide"])
    func squaredDistancesEqualScikitLearnsLedoitWolf(_ set: String) throws {
        let fixture = try Fixture("mahalanobis/ledoit_wolf.json")
        let gaussian = try ShrunkGaussian.fit(try fixture.tensor("\(set)_samples"))
        #expect(toleranceRatio(gaussian.mean, try fixture.tensor("\(set)_location"), absolute: 1e-5, relative: 1e-5) <= 1)
        let distances = try gaussian.squaredDistances(try fixture.tensor("\(set)_queries"))
        #expect(toleranceRatio(distances, try fixture.tensor("\(set)_distances"), absolute: 1e-4, relative: 1e-3) <= 1)
        #expect(toleranceRatio(gaussian.precision, try fixture.tensor("\(set)_precision"), absolute: 1e-4, relative: 1e-3) <= 1)
    }

    /// A detector fitted on the contract's synthetic images at 16 x 16 with two taps.
    static func smallModel() throws -> Mahalanobis {
        let setup = DetectorSetup(layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(16)))
        let images = try DetectorContract.normalImages(count: 8).map { try $0.resized(to: Size2(16), mode: .bilinear) }
        let context = FitContext(images: InMemoryImages(images), setup: setup, backbone: try Backbones.load(setup.backbone))
        return try Mahalanobis.fit(context, options: Mahalanobis.Options())
    }

    /// The gradient that directs the input pre-processing, d s / d x from the tape, equals
    /// directional central differences of the score on a 16 x 16 image: along the gradient itself
    /// and along three seeded random unit directions, `(s(x + h u) - s(x - h u)) / 2h` with
    /// `h = 0.01` in L2 norm, within 5% of `|∇s|` (at `h = 0.05` the step along the gradient
    /// already leaves the score's linear range: 12% off, while 0.01, 0.002 and 0.0005 agree).
    /// Per-element differences are not used: a step of 1e-2 on one pixel crosses ReLU6 kinks of
    /// the backbone and Float32 rounding of a score near 1e3 swamps the smallest elements.
    @Test func perturbationGradientEqualsDirectionalDifferences() throws {
        let model = try Self.smallModel()
        let image = try model.setup.preprocessing(try DetectorContract.anomalousImage(size: Size2(16)))
        let tape = GradientTape()
        let input = tape.watch(image)
        let analytic = try tape.gradient(of: try model.scorer.scores(input).scores.sum(), withRespectTo: input).scalars
        let norm = analytic.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(norm > 0)
        var random = SeededGenerator(seed: 3)
        let randomDirections = (0..<3).map { _ in analytic.map { _ in Float.random(in: -1...1, using: &random) } }
        for (index, direction) in ([analytic] + randomDirections).enumerated() {
            let length = direction.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let unit = direction.map { Float(Double($0) / length) }
            let step = 0.01
            func score(_ sign: Double) throws -> Double {
                let moved = zip(image.scalars, unit).map { $0 + Float(sign * step) * $1 }
                return Double(try #require(try model.scorer.scores(try Tensor(shape: image.shape, scalars: moved)).scores.scalar))
            }
            let numeric = (try score(1) - score(-1)) / (2 * step)
            let predicted = zip(analytic, unit).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(numeric - predicted) <= 0.05 * norm, "direction \(index): directional derivative \(numeric), gradient predicts \(predicted), |∇s| \(norm)")
        }
        let direction = try model.scorer.perturbation(image).direction
        #expect(zip(direction.scalars, analytic).allSatisfy { $0 == ($1 > 0 ? 1 : $1 < 0 ? -1 : 0) })
    }

    /// The pre-processing lowers the score of a normal image; the chosen epsilon comes from the
    /// grid; the recorded map is the scored map and its maximum is the score; its gradient with
    /// respect to the input is finite and not zero; the model says it does not localise.
    @Test func preprocessingLowersNormalScoresAndTheMapIsDifferentiable() throws {
        let model = try Self.smallModel()
        #expect(Mahalanobis.Options().epsilons.contains(model.epsilon))
        let normal = try model.setup.preprocessing(try DetectorContract.normalImages(count: 1, seed: 7)[0])
        let direction = try model.scorer.perturbation(normal).direction
        let plain = try #require(try model.scorer.scores(normal).scores.scalar)
        let moved = try #require(try model.scorer.scores(try normal - direction * 0.002).scores.scalar)
        #expect(moved < plain, "pre-processed \(moved), plain \(plain)")

        let scored = try model.score(batch: normal)[0]
        let tape = GradientTape()
        let input = tape.watch(normal)
        let output = try model.differentiableForward(batch: input)
        #expect(toleranceRatio(try output.map.reshaped([16, 16]), scored.map, absolute: 1e-6, relative: 1e-5) <= 1)
        #expect(abs((try scored.map.max().scalar ?? .nan) - scored.score) <= 1e-6 * scored.score)
        let gradient = try tape.gradient(of: try output.map.sum(), withRespectTo: input)
        #expect(gradient.scalars.allSatisfy(\.isFinite) && gradient.scalars.contains { $0 != 0 })
        #expect(!Mahalanobis.traits.localises && STFPM.traits.localises)
    }

    /// The MNIST one-class protocol of `MNISTOneClassTests` (first 400 of the normal digit train,
    /// the last 100 of every digit test), run on request: `XAD_MAHALANOBIS_MNIST=<side>` (the
    /// input side, e.g. 64; digits are gray, copied to RGB). Image AUROC with the chosen epsilon
    /// and without the step, per digit.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_MAHALANOBIS_MNIST"] != nil))
    func mnistOneClass() throws {
        let side = Int(ProcessInfo.processInfo.environment["XAD_MAHALANOBIS_MNIST"] ?? "") ?? 64
        let classes = try MNISTOneClassTests.digits()
        let setup = DetectorSetup(layers: Mahalanobis.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(side)))
        let backbone = try Backbones.load(setup.backbone)
        var perturbed: [Double] = [], plain: [Double] = []
        for digit in 0..<10 {
            let context = FitContext(images: InMemoryImages(Array(classes[digit].prefix(400))), setup: setup, backbone: backbone)
            let model = try Mahalanobis.fit(context, options: Mahalanobis.Options())
            var scores: [Double] = [], steplessScores: [Double] = [], labels: [Bool] = []
            for (label, images) in classes.enumerated() {
                for start in stride(from: 400, to: images.count, by: 25) {
                    let batch = try Tensor.concatenate(try images[start..<Swift.min(start + 25, images.count)].map { try setup.preprocessing($0) }, axis: 0)
                    scores += try model.score(batch: batch).map { Double($0.score) }
                    steplessScores += try model.scorer.scores(batch).scores.scalars.map(Double.init)
                    labels += Array(repeating: label != digit, count: batch.shape[0])
                }
            }
            perturbed.append(try BinaryRanking(scores: scores, labels: labels).auroc())
            plain.append(try BinaryRanking(scores: steplessScores, labels: labels).auroc())
            print("Mahalanobis MNIST digit \(digit) at \(side): epsilon \(model.epsilon), AUROC \(perturbed[digit]), without the step \(plain[digit])")
        }
        print("Mahalanobis MNIST mean AUROC \(perturbed.reduce(0, +) / 10), without the step \(plain.reduce(0, +) / 10)")
    }
}
