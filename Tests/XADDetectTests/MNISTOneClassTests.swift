import Foundation
import Testing
import XADDetect
import XADImage
import XADMetrics
import XADTensor
import XADTestSupport

/// The one-class protocol of Ruff et al. (Deep SVDD, ICML 2018) on `../shared/data/mnist5k`
/// (500 digits per class, in class order): one digit is normal, the other nine anomalous.
///
/// Split (by file order within each class): the first 400 images of the normal digit train;
/// the last 100 of every digit test (100 normal, 900 anomalous). Nothing of the test part is
/// seen in training.
@Suite("MNIST one-class", .serialized)
struct MNISTOneClassTests {
    static let file = "mnist5k/mnist_5k.csv.gz"

    /// Images by digit, `[1, 1, 28, 28]` in 0...1, in file order.
    static func digits() throws -> [[Tensor]] {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", SharedData.url(file).path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        var classes = [[Tensor]](repeating: [], count: 10)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let values = line.split(separator: ",").compactMap { Int($0) }
            guard values.count == 785, let label = values.last, (0..<10).contains(label) else {
                throw DetectorError.invalidInput("\(file): a row without 784 pixels and a label 0-9")
            }
            classes[label].append(try Tensor(shape: [1, 1, 28, 28], scalars: values.dropLast().map { Float($0) / 255 }))
        }
        return classes
    }

    struct Result {
        var auroc: Double
        var meanResidualAUROC: Double
        var secondsPerEpoch: Double
    }

    /// The detectors measured: `autoencoder`, `ssim-ae` (the autoencoder with `loss` and `map`
    /// `ssim`) and `vae`, each with its default options except `epochs`.
    static func fitted(_ detector: String, epochs: Int, context: FitContext) throws -> any AnomalyDetector {
        switch detector {
        case "vae":
            var options = VAE.Options()
            options.epochs = epochs
            return try VAE.fit(context, options: options)
        default:
            var options = AutoEncoder.Options()
            options.epochs = epochs
            if detector == "ssim-ae" { (options.loss, options.map) = (.ssim, .ssim) }
            return try AutoEncoder.fit(context, options: options)
        }
    }

    /// Trains `detector` (default architecture, `epochs` epochs) on `digit` and measures image
    /// AUROC on the test split, for the default score and for the mean of the map.
    static func oneClass(_ digit: Int, classes: [[Tensor]], epochs: Int, detector: String = "autoencoder") throws -> Result {
        let setup = DetectorSetup(backbone: DetectorSetup.noBackbone, layers: AutoEncoder.defaultLayers,
                                  preprocessing: Preprocessing(imageSize: Size2(32), mean: [0.5], std: [0.5],
                                                               grayscaleToRGB: false))
        let context = FitContext(images: InMemoryImages(Array(classes[digit].prefix(400))), setup: setup, backbone: nil,
                                 training: TrainingSettings(seed: 0))
        let model = try fitted(detector, epochs: epochs, context: context)
        var scores: [Float] = [], means: [Float] = [], labels: [Bool] = []
        for (label, images) in classes.enumerated() {
            for start in stride(from: 400, to: images.count, by: 50) {
                let results = try model.score(images: Array(images[start..<Swift.min(start + 50, images.count)]))
                scores += results.map(\.score)
                means += try results.map { try $0.map.mean().scalar ?? .nan }
                labels += results.map { _ in label != digit }
            }
        }
        let record = try #require(model.trainingRecord)
        return Result(auroc: try auroc(scores: scores, labels: labels),
                      meanResidualAUROC: try auroc(scores: means, labels: labels),
                      secondsPerEpoch: record.seconds / Double(record.epochs))
    }

    @Test(.enabled(if: SharedData.shouldTest(file)))
    func theAutoencoderTellsZerosFromOtherDigits() throws {
        let classes = try Self.digits()
        #expect(classes.allSatisfy { $0.count == 500 })
        let result = try Self.oneClass(0, classes: classes, epochs: 30)
        print("MNIST one-class, digit 0, 30 epochs: image AUROC \(result.auroc) (mean residual \(result.meanResidualAUROC)), \(result.secondsPerEpoch) s/epoch")
        #expect(result.auroc >= 0.9)
    }

    /// Every digit, for the READMEs' tables: `XAD_MNIST_ALL=<epochs>` to run, and
    /// `XAD_MNIST_DETECTOR=autoencoder|ssim-ae|vae` (default autoencoder).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["XAD_MNIST_ALL"] != nil && SharedData.shouldTest(file)))
    func everyDigit() throws {
        let epochs = Int(ProcessInfo.processInfo.environment["XAD_MNIST_ALL"] ?? "") ?? 30
        let detector = ProcessInfo.processInfo.environment["XAD_MNIST_DETECTOR"] ?? "autoencoder"
        let classes = try Self.digits()
        var aurocs: [Double] = [], means: [Double] = []
        for digit in 0..<10 {
            let result = try Self.oneClass(digit, classes: classes, epochs: epochs, detector: detector)
            aurocs.append(result.auroc)
            means.append(result.meanResidualAUROC)
            print("\(detector) digit \(digit): AUROC \(result.auroc), mean residual \(result.meanResidualAUROC), \(result.secondsPerEpoch) s/epoch")
        }
        print("\(detector) mean AUROC \(aurocs.reduce(0, +) / 10), mean residual \(means.reduce(0, +) / 10)")
    }
}
