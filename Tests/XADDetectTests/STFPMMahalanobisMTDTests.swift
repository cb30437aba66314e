import Foundation
import Testing
import XADData
@testable import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// STFPM and the Mahalanobis detector trained on a tiny real subset of MTD v1 (`../shared/data/mtd`)
/// and scored on a small balanced test subset: a smoke test that they detect real defects, not a
/// benchmark (the README figures come from `xad fit` / `xad evaluate` on the whole split).
///
/// Subset: every 8th of protocol v1's training images (30 defect-free), at 96 x 96; test: every
/// 12th defect-free test image and every 12th defective one (20 and 33).
@Suite("STFPM and Mahalanobis on an MTD subset", .serialized)
struct STFPMMahalanobisMTDTests {
    static let size = Size2(96)

    struct Subset {
        var train: [Tensor]
        var test: [Tensor]
        var labels: [Bool]
    }

    static func subset() throws -> Subset {
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let train = dataset.train.enumerated().filter { $0.offset % 8 == 0 }.map(\.element)
        let normal = dataset.test.filter { !$0.label.isAnomalous }.enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        let defective = dataset.test.filter(\.label.isAnomalous).enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        return Subset(train: try train.map { try $0.load().image }, test: try (normal + defective).map { try $0.load().image },
                      labels: normal.map { _ in false } + defective.map { _ in true })
    }

    static func auroc(_ model: some AnomalyDetector, on subset: Subset) throws -> Double {
        let scores = try subset.test.map { try Double(model.score(image: $0).score) }
        return try BinaryRanking(scores: scores, labels: subset.labels).auroc()
    }

    static func context(_ subset: Subset, layers: [String]) throws -> FitContext {
        let setup = DetectorSetup(layers: layers, preprocessing: Preprocessing(imageSize: size))
        return FitContext(images: InMemoryImages(subset.train), setup: setup, backbone: try Backbones.load(setup.backbone))
    }

    /// STFPM, 10 epochs with its default options: image AUROC at least 0.6 (chance 0.5).
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func stfpmDetectsRealDefects() throws {
        let subset = try Self.subset()
        var options = STFPM.Options()
        options.epochs = 10
        let model = try STFPM.fit(try Self.context(subset, layers: STFPM.defaultLayers), options: options)
        let auroc = try Self.auroc(model, on: subset)
        print("STFPM on the MTD subset: image AUROC \(auroc), losses \(model.trainingRecord?.losses ?? [])")
        #expect(auroc >= 0.6)
    }

    /// The Mahalanobis detector with its default options: image AUROC at least 0.6 (chance 0.5).
    @Test(.enabled(if: SharedData.shouldTest("mtd")))
    func mahalanobisDetectsRealDefects() throws {
        let subset = try Self.subset()
        let model = try Mahalanobis.fit(try Self.context(subset, layers: Mahalanobis.defaultLayers), options: Mahalanobis.Options())
        let auroc = try Self.auroc(model, on: subset)
        print("Mahalanobis on the MTD subset: image AUROC \(auroc), epsilon \(model.epsilon)")
        #expect(auroc >= 0.6)
    }

    // MARK: - The README figures (run on request, not by `make test`)

    /// The environment's integer settings, e.g. `XAD_STFPM_MTD=5,10`.
    static func integers(_ name: String) -> [Int]? {
        ProcessInfo.processInfo.environment[name].map { $0.split(separator: ",").compactMap { Int($0) } }
    }

    /// Image AUROC, pixel AUROC and AUPRO (FPR 0.3) over the whole MTD v1 test split at the
    /// model's resolution (masks resized nearest), as `xad evaluate` measures them.
    static func metrics(_ model: some AnomalyDetector, test: [SampleReference]) throws -> (image: Double, pixel: Double, aupro: Double) {
        var scores: [Double] = [], labels: [Bool] = [], maps: [ScoreMap] = [], masks: [DefectMask] = []
        let size = model.setup.preprocessing.imageSize
        for start in stride(from: 0, to: test.count, by: 16) {
            let samples = try test[start..<Swift.min(test.count, start + 16)].map { try $0.load() }
            let batch = try Tensor.concatenate(samples.map { try model.setup.preprocessing($0.image) }, axis: 0)
            for (sample, result) in zip(samples, try model.score(batch: batch)) {
                scores.append(Double(result.score))
                labels.append(sample.reference.label.isAnomalous)
                let (height, width) = (result.map.shape[0], result.map.shape[1])
                maps.append(try ScoreMap(height: height, width: width, scores: result.map.scalars, name: sample.reference.name))
                let mask = try sample.mask.resized(to: size, mode: .nearest)
                masks.append(try DefectMask(height: height, width: width, values: mask.scalars, name: sample.reference.name))
            }
        }
        let pixels = try PixelMetrics(maps: maps, masks: masks)
        return (try BinaryRanking(scores: scores, labels: labels).auroc(), try pixels.auroc(), try pixels.aupro())
    }

    /// Peak resident memory of this process so far, in GB.
    static var peakRSS: Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1e6   // kilobytes on Linux
    }

    /// STFPM on MTD v1 beside `Tools/reference/anomalib_stfpm_mtd.py`: `XAD_STFPM_MTD=5,10` trains
    /// (on every `XAD_MTD_EVERY`-th training image, default 1, at `XAD_MTD_SIZE`, default 256) to
    /// each listed epoch in turn (resuming the checkpoint) and measures the whole test split;
    /// `XAD_STFPM_MTD_OUT=path.xadm` keeps the last model (for `xad explain-eval`).
    @Test(.enabled(if: integers("XAD_STFPM_MTD") != nil))
    func stfpmOnMTDv1() throws {
        let epochs = try #require(Self.integers("XAD_STFPM_MTD"))
        let (size, every) = (Self.integers("XAD_MTD_SIZE")?.first ?? 256, Self.integers("XAD_MTD_EVERY")?.first ?? 1)
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let train = try dataset.train.enumerated().filter { $0.offset % every == 0 }.map { try $0.element.load().image }
        let setup = DetectorSetup(layers: STFPM.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(size)))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-stfpm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, count) in epochs.enumerated() {
            var options = STFPM.Options()
            options.epochs = count
            let context = FitContext(images: InMemoryImages(train), setup: setup, backbone: try Backbones.load(setup.backbone),
                                     training: TrainingSettings(checkpointFolder: folder.path, resume: index > 0))
            let model = try STFPM.fit(context, options: options)
            let record = try #require(model.trainingRecord)
            let (image, pixel, aupro) = try Self.metrics(model, test: dataset.test)
            print("STFPM MTD v1 \(train.count) images at \(size): epoch \(record.epochs): image AUROC \(image), pixel AUROC \(pixel), AUPRO \(aupro); "
                  + "training \(record.seconds) s (\(record.seconds / Double(record.epochs)) s/epoch), losses \(record.losses), peak RSS \(Self.peakRSS) GB")
            if index == epochs.count - 1, let path = ProcessInfo.processInfo.environment["XAD_STFPM_MTD_OUT"] {
                try SavedModel(detector: model, threshold: nil).write(to: URL(fileURLWithPath: path))
            }
        }
    }

    /// The Mahalanobis detector on MTD v1 (`XAD_MAHALANOBIS_MTD=1`, all training images at
    /// `XAD_MTD_SIZE`, default 256): image AUROC with the chosen epsilon and without the step.
    @Test(.enabled(if: integers("XAD_MAHALANOBIS_MTD") != nil))
    func mahalanobisOnMTDv1() throws {
        let size = Self.integers("XAD_MTD_SIZE")?.first ?? 256
        let dataset = try DatasetFormats.load(SharedData.url("mtd"), format: "mtd")
        let setup = DetectorSetup(layers: Mahalanobis.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(size)))
        let context = FitContext(images: InMemoryImages(try dataset.train.map { try $0.load().image }), setup: setup,
                                 backbone: try Backbones.load(setup.backbone))
        let model = try Mahalanobis.fit(context, options: Mahalanobis.Options())
        var perturbed: [Double] = [], plain: [Double] = [], labels: [Bool] = []
        for reference in dataset.test {
            let batch = try setup.preprocessing(try reference.load().image)
            perturbed.append(Double(try model.score(batch: batch)[0].score))
            plain.append(Double(try #require(try model.scorer.scores(batch).scores.scalar)))
            labels.append(reference.label.isAnomalous)
        }
        print("Mahalanobis MTD v1 at \(size): epsilon \(model.epsilon): image AUROC \(try BinaryRanking(scores: perturbed, labels: labels).auroc()); "
              + "without the step \(try BinaryRanking(scores: plain, labels: labels).auroc()); peak RSS \(Self.peakRSS) GB")
    }
}
