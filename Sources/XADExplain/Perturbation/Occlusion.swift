import XADDetect
import XADTensor

/// Occlusion (Zeiler & Fergus 2014): slide a window over the image, replace it with the baseline,
/// and credit every covered pixel with how much the target fell.
///
/// A pixel's relevance is the mean of `f(x) - f(x with window w occluded)` over the windows `w`
/// covering it (Captum's `Occlusion` with equal strides on both axes). Windows start every
/// `stride` pixels, plus one flush with the far edge so that every pixel is covered. Runs at the
/// model's resolution; the map is resized to the image's size.
///
/// ```swift
/// let explanation = try Occlusion(window: 32, stride: 16).explain(model, image: image, target: .imageScore)
/// ```
public struct Occlusion: Explainer {
    public static let name = "occlusion"

    /// The side of the square window, in model-resolution pixels. Default 32.
    public var window: Int
    /// The step between windows, in model-resolution pixels. Default 16.
    public var stride: Int
    /// What an occluded window shows. Default ``PerturbationBaseline/standard``.
    public var baseline: PerturbationBaseline
    /// How many occluded images are scored at once. Default 16.
    public var batchSize: Int

    public init(window: Int = 32, stride: Int = 16, baseline: PerturbationBaseline = .standard, batchSize: Int = 16) {
        self.window = window
        self.stride = stride
        self.baseline = baseline
        self.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        guard window >= 1, stride >= 1 else {
            throw ExplainerError.invalidOption("occlusion needs a window and a stride of at least 1 pixel, got \(window) and \(stride)")
        }
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: batchSize)
        let size = scoring.modelSize
        guard window <= size.height, window <= size.width else {
            throw ExplainerError.invalidOption("the occlusion window \(window) is larger than the model's \(size) input")
        }
        let rows = Occlusion.starts(length: size.height, window: window, stride: stride)
        let columns = Occlusion.starts(length: size.width, window: window, stride: stride)
        let windows = rows.flatMap { row in columns.map { (row, $0) } }
        let baselinePixels = try baseline.image(for: scoring.modelImage).scalars
        let original = try scoring.originalValue()
        let values = try scoring.targetValues(count: windows.count) { index in
            var keep = [Float](repeating: 1, count: size.height * size.width)
            let (top, left) = windows[index]
            for y in top..<(top + window) { for x in left..<(left + window) { keep[y * size.width + x] = 0 } }
            return scoring.blended(baseline: baselinePixels, keep: keep)
        }
        var total = [Double](repeating: 0, count: size.height * size.width)
        var coverage = [Double](repeating: 0, count: size.height * size.width)
        for ((top, left), value) in zip(windows, values) {
            let drop = Double(original - value)
            for y in top..<(top + window) {
                for x in left..<(left + window) {
                    total[y * size.width + x] += drop
                    coverage[y * size.width + x] += 1
                }
            }
        }
        let map = try Tensor(shape: [size.height, size.width],
                             scalars: zip(total, coverage).map { Float($0 / max($1, 1)) })
        return Explanation(method: Self.name, map: try scoring.mapAtImageSize(map), target: target, targetValue: original,
                           values: ["scoredImages": Double(windows.count + 1)],
                           options: ["window": "\(window)", "stride": "\(stride)", "baseline": baseline.summary])
    }

    /// Window starts `0, stride, 2·stride, …` that fit, plus `length - window` when the last one
    /// does not reach the edge.
    static func starts(length: Int, window: Int, stride: Int) -> [Int] {
        var starts = Array(Swift.stride(from: 0, through: length - window, by: stride))
        if let last = starts.last, last + window < length { starts.append(length - window) }
        return starts
    }
}
