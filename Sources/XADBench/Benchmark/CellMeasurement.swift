import Foundation
import XADDetect
import XADExplain
import XADMetrics
import XADTensor

/// Turns one cell's evaluation into ``BenchmarkRecord``s, each figure with its bootstrap 95%
/// interval over images where it is a per-image figure.
struct CellMeasurement {
    /// The cell and its data set.
    let cell: BenchmarkCell
    let traits: DatasetTraits
    let preset: BenchmarkPreset
    /// Resamples of image-level figures and of per-image explanation measures.
    let bootstrap: Bootstrap
    /// Resamples of the pooled pixel metrics (each one recomputes them over every pixel); 0
    /// records them without an interval.
    let pixelResamples: Int

    /// A record of this cell.
    func record(_ measure: String, _ value: Double, interval: ClosedRange<Double>? = nil, images: Int) -> BenchmarkRecord {
        var record = BenchmarkRecord(dataset: cell.dataset, traits: traits, detector: cell.detector, detectorOptions: cell.detectorOptions,
                                     explainer: cell.explainer, explainerOptions: cell.explainerOptions, measure: measure,
                                     value: value, interval: interval, images: images, seed: cell.seed)
        record.preset = preset.rawValue
        return record
    }

    /// Image AUROC, AP and F1-max over the test images, pixel AUROC and AUPRO over those with
    /// masks (a metric undefined on the data, e.g. with one class, is left out).
    func detection(_ evaluation: Evaluation, fprLimit: Double) throws -> [BenchmarkRecord] {
        let images = evaluation.images, overall = evaluation.report.overall
        let scores = images.map(\.score), labels = images.map(\.isAnomalous)
        func ranking(_ picked: [Int]) throws -> BinaryRanking {
            try BinaryRanking(scores: picked.map { scores[$0] }, labels: picked.map { labels[$0] })
        }
        var records: [BenchmarkRecord] = []
        let imageMetrics: [(String, Double?, (BinaryRanking) throws -> Double)] = [
            (BenchmarkMeasure.imageAUROC, overall.imageAUROC, { try $0.auroc() }),
            (BenchmarkMeasure.averagePrecision, overall.averagePrecision, { try $0.averagePrecision() }),
            (BenchmarkMeasure.f1Max, overall.f1Max, { try $0.f1Max().score }),
        ]
        for (measure, value, statistic) in imageMetrics {
            guard let value else { continue }
            let interval = try? bootstrap.interval(items: images.count) { try statistic(try ranking($0)) }
            records.append(record(measure, value, interval: interval, images: images.count))
        }
        let masked = images.filter { $0.mask != nil }
        let pixelMetrics: [(String, Double?, (PixelMetrics) throws -> Double)] = [
            (BenchmarkMeasure.pixelAUROC, overall.pixelAUROC, { try $0.auroc() }),
            (BenchmarkMeasure.aupro, overall.aupro, { try $0.aupro() }),
        ]
        for (measure, value, statistic) in pixelMetrics {
            guard let value else { continue }
            var interval: ClosedRange<Double>?
            if pixelResamples > 0 {
                var pixelBootstrap = bootstrap
                pixelBootstrap.resamples = pixelResamples
                interval = try? pixelBootstrap.interval(items: masked.count) { picked in
                    try statistic(try PixelMetrics(maps: picked.map { masked[$0].map }, masks: picked.compactMap { masked[$0].mask },
                                                   fprLimit: fprLimit))
                }
            }
            records.append(record(measure, value, interval: interval, images: masked.count))
        }
        return records
    }

    /// The explanation-quality measures in `measures` of one report: per-image measures as their
    /// mean with an interval, the pooled pixel AUROC and AUPRO without one. `suffix` labels the
    /// measure names (`:abs`, `:signed` for signed maps).
    func explanation(_ report: QualityEvaluation.MethodReport, measures: [String], suffix: String = "") -> [BenchmarkRecord] {
        let pooled: Set = ["pixel_auroc", "aupro"]
        return measures.compactMap { measure -> BenchmarkRecord? in
            guard let mean = report.means[measure] else { return nil }
            if pooled.contains(measure) { return record(measure + suffix, mean, images: report.perImage.count) }
            let values = report.perImage.keys.sorted().compactMap { report.perImage[$0]?[measure] }
            return record(measure + suffix, mean, interval: try? bootstrap.meanInterval(values), images: values.count)
        }
    }
}

/// An explainer whose maps are the absolute values of another's: signed maps (gradient x input,
/// integrated gradients) are measured both as they are and as `|map|`.
struct AbsoluteMap<Inner: Explainer>: Explainer {
    typealias Options = Inner.Options
    static var name: String { Inner.name }
    static var summary: String { "The absolute value of: " + Inner.summary }
    static var requirements: ExplainerRequirements { Inner.requirements }

    let inner: Inner
    var options: Options { inner.options }

    init(options: Options) { inner = Inner(options: options) }
    init(_ inner: Inner) { self.inner = inner }

    func unmetNeeds(of detector: any AnomalyDetector) -> String? { inner.unmetNeeds(of: detector) }

    func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        var explanation = try inner.explain(detector, image: image, target: target)
        explanation.map = explanation.map.abs()
        return explanation
    }
}

/// `explainer` with absolute maps (a generic function opens the existential).
func absoluteMaps<E: Explainer>(_ explainer: E) -> any Explainer { AbsoluteMap<E>(explainer) }

/// Whether `explainer`'s maps are signed (input attributions that sum signed values).
func hasSignedMaps(_ explainer: any Explainer) -> Bool {
    (explainer as? any InputAttribution)?.sumsAbsoluteValues == false
}
