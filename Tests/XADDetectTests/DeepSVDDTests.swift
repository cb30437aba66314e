import Foundation
import Testing
@testable import XADDetect
import XADImage
import XADMetrics
import XADTensor
import XADTestSupport

/// Deep SVDD: its centre rule, its objective's gradient against finite differences, and the
/// MNIST one-class protocol of Ruff et al. (ICML 2018) on `../shared/data/mnist5k` (split as in
/// ``MNISTOneClassTests``: the first 400 of the normal digit train, the last 100 of every digit test).
@Suite("Deep SVDD", .serialized)
struct DeepSVDDTests {
    static let setup = DetectorSetup(backbone: DetectorSetup.noBackbone, layers: DeepSVDD.defaultLayers,
                                     preprocessing: Preprocessing(imageSize: Size2(28), mean: [0.5], std: [0.5],
                                                                  grayscaleToRGB: false))

    /// The centre is the mean initial output with every coordinate at least 0.1 from 0, and
    /// the objective's gradient with respect to the input equals central differences (ε = 1e-2)
    /// within 1e-3 absolute plus 2 % relative.
    @Test func centreRuleAndObjectiveGradient() throws {
        var generator = SeededGenerator(seed: 2)
        var network = try DeepSVDDNetwork(channels: 1, imageSize: Size2(8), representation: 6, generator: &generator)
        let images = Tensor.normal([5, 1, 8, 8], generator: &generator)
        let centre = try network.initialCentre(of: images, batchSize: 2)
        let outputs = try network.forward(images).representation.mean(axes: [0]).scalars
        for (c, mean) in zip(centre.scalars, outputs) {
            #expect(abs(mean) < 0.1 ? abs(c) == Float(0.1) && (c > 0) == (mean > 0) : abs(c - mean) <= 1e-5)
        }
        network.centre = centre
        let x = try images.sliced(axis: 0, range: 0..<1)
        let tape = GradientTape()
        let watched = tape.watch(x)
        let analytic = try tape.gradient(of: try network.evaluationLoss(watched), withRespectTo: watched)
        let numeric = try numericalGradient(of: { try network.evaluationLoss($0) }, at: x)
        #expect(toleranceRatio(analytic, numeric, absolute: 1e-3, relative: 2e-2) <= 1)
    }

    /// Image AUROC of Deep SVDD (default options but `epochs`) trained on `digit`, on the test split.
    static func oneClass(_ digit: Int, classes: [[Tensor]], epochs: Int) throws -> (auroc: Double, secondsPerEpoch: Double) {
        var options = DeepSVDD.Options()
        options.epochs = epochs
        let context = FitContext(images: InMemoryImages(Array(classes[digit].prefix(400))), setup: setup, backbone: nil,
                                 training: TrainingSettings(seed: 0))
        let model = try DeepSVDD.fit(context, options: options)
        var scores: [Float] = [], labels: [Bool] = []
        for (label, images) in classes.enumerated() {
            let results = try model.score(images: Array(images.dropFirst(400)))
            scores += results.map(\.score)
            labels += results.map { _ in label != digit }
        }
        let record = try #require(model.trainingRecord)
        return (try auroc(scores: scores, labels: labels), record.seconds / Double(record.epochs))
    }

    @Test(.enabled(if: SharedData.shouldTest(MNISTOneClassTests.file)))
    func tellsOnesFromOtherDigits() throws {
        let result = try Self.oneClass(1, classes: try MNISTOneClassTests.digits(), epochs: 30)
        print("Deep SVDD MNIST one-class, digit 1, 30 epochs: image AUROC \(result.auroc), \(result.secondsPerEpoch) s/epoch")
        #expect(result.auroc >= 0.9)
    }

    /// Every digit, for the README's table: `XAD_DEEPSVDD_MNIST=<epochs>` to run.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_DEEPSVDD_MNIST"] != nil && SharedData.shouldTest(MNISTOneClassTests.file)))
    func everyDigit() throws {
        let epochs = Int(ProcessInfo.processInfo.environment["XAD_DEEPSVDD_MNIST"] ?? "") ?? 150
        let classes = try MNISTOneClassTests.digits()
        var aurocs: [Double] = []
        for digit in 0..<10 {
            let result = try Self.oneClass(digit, classes: classes, epochs: epochs)
            aurocs.append(result.auroc)
            print("deepsvdd digit \(digit): AUROC \(result.auroc), \(result.secondsPerEpoch) s/epoch")
        }
        print("deepsvdd mean AUROC \(aurocs.reduce(0, +) / 10)")
    }
}
