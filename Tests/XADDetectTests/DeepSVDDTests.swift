import Foundation
import Testing
@testable import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// Deep SVDD: its centre rule, its objective's gradient against finite differences, the paper's
/// input scaling and the pretraining autoencoder against PyTorch fixtures, and the MNIST
/// one-class protocol of Ruff et al. (ICML 2018) on `../shared/data/mnist5k` (split as in
/// ``MNISTOneClassTests``: the first 400 of the normal digit train, the last 100 of every digit test).
@Suite("Deep SVDD", .serialized)
struct DeepSVDDTests {
    static let setup = DetectorSetup(backbone: DetectorSetup.noBackbone, layers: DeepSVDD.defaultLayers,
                                     preprocessing: Preprocessing(imageSize: Size2(28), mean: [0.5], std: [0.5],
                                                                  grayscaleToRGB: false))

    /// The centre is the mean initial output with every coordinate at least 0.1 from 0, and
    /// the objective's gradient with respect to the input (through the contrast scaling) equals
    /// central differences (ε = 1e-2) within 1e-3 absolute plus 2 % relative.
    @Test func centreRuleAndObjectiveGradient() throws {
        var generator = SeededGenerator(seed: 2)
        let images = Tensor.normal([5, 1, 8, 8], generator: &generator)
        var network = try DeepSVDDNetwork(channels: 1, imageSize: Size2(8), representation: 6,
                                          scaling: ContrastScaling.fitted(to: images), generator: &generator)
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

    /// Contrast normalisation and min-max scaling equal Deep-SVDD-PyTorch's
    /// `global_contrast_normalization(x, 'l1')` and min-max step (`Tests/Fixtures/svdd/scaling.json`):
    /// extremes fitted on the training images within 1e-5, scaled test images within 1e-5 + 1e-4 relative.
    @Test func contrastScalingMatchesThePapersCode() throws {
        let fixture = try Fixture("svdd/scaling.json")
        let scaling = try ContrastScaling.fitted(to: fixture.tensor("train"))
        #expect(abs(try #require(scaling.minimum.scalars.first) - (try #require(fixture["minimum"]?.float))) <= 1e-5)
        #expect(abs(try #require(scaling.maximum.scalars.first) - (try #require(fixture["maximum"]?.float))) <= 1e-5)
        let scaled = try scaling(fixture.tensor("test"))
        #expect(toleranceRatio(scaled, try fixture.tensor("scaled"), absolute: 1e-5, relative: 1e-4) <= 1)
    }

    /// The pretraining autoencoder's loss in training mode and its gradient with respect to every
    /// weight equal PyTorch's (`Tests/Fixtures/svdd/autoencoder.json`) within 1e-4 + 1e-3 relative.
    @Test func autoencoderLossAndGradientsMatchPyTorch() throws {
        let fixture = try Fixture("svdd/autoencoder.json")
        var generator = SeededGenerator(seed: 0)
        var model = DeepSVDDAutoencoder(
            encoder: try DeepSVDDNetwork(channels: 1, imageSize: Size2(8), representation: 6, scaling: nil, generator: &generator),
            decoder: try DeepSVDDDecoder(representation: 6, channels: 1, imageSize: Size2(8), sigmoidOutput: true,
                                         generator: &generator))
        model.encoder.conv1.weight = try fixture.tensor("w.encoder.conv1.weight")
        model.encoder.conv2.weight = try fixture.tensor("w.encoder.conv2.weight")
        model.encoder.fc.weight = try fixture.tensor("w.encoder.fc.weight")
        model.decoder.fc.weight = try fixture.tensor("w.decoder.fc.weight")
        model.decoder.deconv1.weight = try fixture.tensor("w.decoder.deconv1.weight")
        model.decoder.deconv2.weight = try fixture.tensor("w.decoder.deconv2.weight")
        let tape = GradientTape()
        model.watchParameters(on: tape)
        let loss = try model.trainingLoss(fixture.tensor("x"), generator: &generator)
        let expected = try #require(fixture["loss"]?.float)
        #expect(abs(try #require(loss.scalar) - expected) <= 1e-4 + 1e-3 * abs(expected))
        let gradients = try tape.gradients(of: loss, for: model)
        let names = try #require(fixture["names"]?.array?.compactMap { $0.string })
        #expect(names.count == 6 && Set(names) == Set(gradients.keys))
        for name in names {
            let gradient = try #require(gradients[name])
            #expect(toleranceRatio(gradient, try fixture.tensor("d.\(name)"), absolute: 1e-4, relative: 1e-3) <= 1, "\(name)")
        }
    }

    /// Image AUROC of the detector that `fit` trains on `digit` (400 images), on the test split
    /// (scored 100 images at a time), and the wall-clock seconds of the fit.
    static func oneClass(_ digit: Int, classes: [[Tensor]], setup: DetectorSetup = setup, backbone: (any Backbone)? = nil,
                         fit: (FitContext) throws -> any AnomalyDetector) throws -> (auroc: Double, fitSeconds: Double) {
        let context = FitContext(images: InMemoryImages(Array(classes[digit].prefix(400))), setup: setup, backbone: backbone,
                                 training: TrainingSettings(seed: 0))
        let started = ContinuousClock.now
        let model = try fit(context)
        let fitSeconds = started.secondsElapsed
        var scores: [Float] = [], labels: [Bool] = []
        for (label, images) in classes.enumerated() {
            for start in stride(from: 400, to: images.count, by: 100) {
                let results = try model.score(images: Array(images[start..<Swift.min(start + 100, images.count)]))
                scores += results.map(\.score)
                labels += results.map { _ in label != digit }
            }
        }
        return (try auroc(scores: scores, labels: labels), fitSeconds)
    }

    /// Deep SVDD with `options` on `digit`.
    static func oneClass(_ digit: Int, classes: [[Tensor]], options: DeepSVDD.Options) throws -> (auroc: Double, fitSeconds: Double) {
        try oneClass(digit, classes: classes) { try DeepSVDD.fit($0, options: options) }
    }

    /// The digits of `XAD_DEEPSVDD_DIGITS` (e.g. `2,5,8`); all ten by default.
    static var digitsToRun: [Int] {
        ProcessInfo.processInfo.environment["XAD_DEEPSVDD_DIGITS"].map { $0.split(separator: ",").compactMap { Int($0) } }
            ?? Array(0..<10)
    }

    /// The small-set settings of the README's table, shortened (10 pretraining and 20 Deep SVDD
    /// epochs, batches of 32 at rate 0.001): image AUROC at least 0.95 on digit 1 (measured 0.988).
    @Test(.enabled(if: SharedData.shouldTest(MNISTOneClassTests.file)))
    func tellsOnesFromOtherDigits() throws {
        var options = DeepSVDD.Options()
        (options.pretrain, options.epochs, options.batchSize, options.learningRate) = (10, 20, 32, 1e-3)
        let result = try Self.oneClass(1, classes: try MNISTOneClassTests.digits(), options: options)
        print("Deep SVDD MNIST one-class, digit 1, pretrain 10 + 20 epochs: image AUROC \(result.auroc), fit \(result.fitSeconds) s")
        #expect(result.auroc >= 0.95)
    }

    /// Every digit, for the README's table: `XAD_DEEPSVDD_MNIST=<epochs>` to run; optionally
    /// `XAD_DEEPSVDD_SET=key=value,...` (options, as `xad fit --set` takes them) and
    /// `XAD_DEEPSVDD_DIGITS=2,5,8` (default all ten).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_DEEPSVDD_MNIST"] != nil && SharedData.shouldTest(MNISTOneClassTests.file)))
    func everyDigit() throws {
        let environment = ProcessInfo.processInfo.environment
        let epochs = Int(environment["XAD_DEEPSVDD_MNIST"] ?? "") ?? 150
        let settings = (environment["XAD_DEEPSVDD_SET"] ?? "").split(separator: ",").map(String.init)
        var options = try DeepSVDD.Options().overriding(OptionOverrides(settings: settings), method: DeepSVDD.name)
        options.epochs = epochs
        let digits = Self.digitsToRun
        let classes = try MNISTOneClassTests.digits()
        var aurocs: [Double] = []
        for digit in digits {
            let result = try Self.oneClass(digit, classes: classes, options: options)
            aurocs.append(result.auroc)
            print("deepsvdd \(settings) digit \(digit): AUROC \(result.auroc), fit \(result.fitSeconds) s")
        }
        print("deepsvdd \(settings) mean AUROC over \(digits): \(aurocs.reduce(0, +) / Double(aurocs.count))")
    }

    /// FCDD (confetti outlier exposure) and Mahalanobis (EfficientNet-Lite0 features) on the same
    /// split, the digits upsampled to `XAD_MNIST_PEERS_SIZE` (default 64) and made RGB, default
    /// options but FCDD's `epochs`: `XAD_MNIST_PEERS=<FCDD epochs>` to run (and `XAD_DEEPSVDD_DIGITS`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_MNIST_PEERS"] != nil && SharedData.shouldTest(MNISTOneClassTests.file)))
    func fcddAndMahalanobisOnDigits() throws {
        let environment = ProcessInfo.processInfo.environment
        var fcddOptions = FCDD.Options()
        fcddOptions.epochs = Int(environment["XAD_MNIST_PEERS"] ?? "") ?? 20
        let size = Size2(Int(environment["XAD_MNIST_PEERS_SIZE"] ?? "") ?? 64)
        let fcddSetup = DetectorSetup(layers: FCDD.defaultLayers, preprocessing: Preprocessing(imageSize: size))
        let mahalanobisSetup = DetectorSetup(layers: Mahalanobis.defaultLayers, preprocessing: Preprocessing(imageSize: size))
        let backbone = try Backbones.load(fcddSetup.backbone)
        let classes = try MNISTOneClassTests.digits()
        var fcdd: [Double] = [], mahalanobis: [Double] = []
        for digit in Self.digitsToRun {
            let f = try Self.oneClass(digit, classes: classes, setup: fcddSetup, backbone: backbone) {
                try FCDD.fit($0, options: fcddOptions)
            }
            let m = try Self.oneClass(digit, classes: classes, setup: mahalanobisSetup, backbone: backbone) {
                try Mahalanobis.fit($0, options: Mahalanobis.Options())
            }
            (fcdd, mahalanobis) = (fcdd + [f.auroc], mahalanobis + [m.auroc])
            print("mnist peers digit \(digit): FCDD (\(fcddOptions.epochs) epochs) AUROC \(f.auroc), fit \(f.fitSeconds) s; "
                  + "Mahalanobis AUROC \(m.auroc), fit \(m.fitSeconds) s")
        }
        print("mnist peers mean AUROC: FCDD \(fcdd.reduce(0, +) / Double(fcdd.count)), "
              + "Mahalanobis \(mahalanobis.reduce(0, +) / Double(mahalanobis.count))")
    }
}
