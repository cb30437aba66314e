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
    /// Occlusion's options.
    public struct Options: PerturbationBaselineOptions {
        /// The side of the square window, in model-resolution pixels. Default 32.
        public var window = 32
        /// The step between windows, in model-resolution pixels. Default 16.
        public var stride = 16
        /// What an occluded window shows. Default blurred, sigma 8 (``PerturbationBaseline/standard``).
        public var baseline = PerturbationBaseline.Kind.blurred
        /// The blur sigma of the blurred baseline, in model-resolution pixels. Default 8.
        public var baselineSigma: Float = 8
        /// The value of the constant baseline. Default 0.
        public var baselineValue: Float = 0
        /// How many occluded images are scored at once. Default 16.
        public var batchSize = 16

        public init() {}

        public static let help = [OptionHelp("window", "side of the square window, in model-resolution pixels"),
                                  OptionHelp("stride", "step between windows, in model-resolution pixels")]
            + baselineHelp + [OptionHelp("batchSize", "occluded images scored at once")]

        public func validate(method: String) throws {
            guard window >= 1, stride >= 1, batchSize >= 1 else {
                throw OptionError.invalidValue(method: method, message: "window, stride and batchSize must be at least 1, got \(window), \(stride) and \(batchSize)")
            }
            try validateBaseline(method: method)
        }
    }

    public static let name = "occlusion"
    public static let summary = "Slides a window over the image, replaces it with a baseline and credits the pixels under it with how much the target fell."

    public var options: Options

    public init(options: Options) { self.options = options }

    /// Occlusion with these settings (see ``Options``).
    public init(window: Int = 32, stride: Int = 16, baseline: PerturbationBaseline = .standard, batchSize: Int = 16) {
        options = Options()
        options.window = window
        options.stride = stride
        options.perturbationBaseline = baseline
        options.batchSize = batchSize
    }

    public func explain(_ detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget) throws -> Explanation {
        try checkApplicable(to: detector)
        try options.validate(method: Self.name)
        let (window, stride, baseline) = (options.window, options.stride, options.perturbationBaseline)
        let scoring = try PerturbedScoring(detector: detector, image: image, target: target, batchSize: options.batchSize)
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
