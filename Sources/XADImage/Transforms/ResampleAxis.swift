/// How one axis of a separable resampling reads its input: output sample `o` is
/// `Σ_k weights[o · taps + k] · input[starts[o] + k]`, a window of `taps` neighbouring samples
/// (contiguous, so the kernels read them without an index table).
///
/// The weights follow PyTorch's CPU kernels (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`) step
/// by step, in the same Float32/Float64 mix, so the results agree with `F.interpolate` (and
/// hence torchvision's `resize`) to rounding.
struct ResampleAxis: Sendable {
    let inputSize: Int
    let outputSize: Int
    /// The window length: samples read per output sample (at most `inputSize`).
    let taps: Int
    let starts: [Int]
    let weights: [Float]

    /// Whether this axis keeps its size, in which case both PyTorch and Pillow leave it untouched.
    var isIdentity: Bool { inputSize == outputSize }

    /// Collects each output's `(input index, weight)` contributions into windows of
    /// `min(maximumTaps, inputSize)` samples, shifted to stay inside the input; weights of a
    /// repeated index (a clamped edge) add up.
    private init(from inputSize: Int, to outputSize: Int, maximumTaps: Int,
                 contributions: (Int) -> [(index: Int, weight: Float)]) {
        let taps = Swift.min(maximumTaps, inputSize)
        var starts = [Int](repeating: 0, count: outputSize)
        var weights = [Float](repeating: 0, count: outputSize * taps)
        for o in 0..<outputSize {
            let parts = contributions(o)
            let start = Swift.min(Swift.max(parts.map(\.index).min() ?? 0, 0), inputSize - taps)
            starts[o] = start
            for (index, weight) in parts { weights[o * taps + index - start] += weight }
        }
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.taps = taps
        self.starts = starts
        self.weights = weights
    }

    /// Pillow's antialiased convolution (also PyTorch's `antialias=True`): the filter is stretched
    /// by the scale when shrinking, so every input pixel contributes, and each output's weights
    /// are normalised to sum to 1.
    ///
    /// With `scale = in / out`, output `o` is centred at `c = scale · (o + 0.5)`, the filter's
    /// support is `s = radius · max(scale, 1)` and input `i` weighs `filter((i + 0.5 - c) / max(scale, 1))`
    /// for `i` in `[⌊c - s + 0.5⌋, ⌊c + s + 0.5⌋)` clipped to the image.
    static func antialiased(_ filter: ResampleFilter, from inputSize: Int, to outputSize: Int) -> ResampleAxis {
        let radius: Float = filter == .bicubic ? 2 : 1
        let scale = Float(inputSize) / Float(outputSize)
        let support = scale >= 1 ? radius * scale : radius
        let inverseScale = scale >= 1 ? 1 / scale : 1
        let maximumTaps = Int(support.rounded(.up)) * 2 + 1
        return ResampleAxis(from: inputSize, to: outputSize, maximumTaps: maximumTaps) { o in
            let center = Float(Double(scale) * (Double(o) + 0.5))
            let first = Swift.max(Int(Double(center) - Double(support) + 0.5), 0)
            let last = Swift.min(Int(Double(center) + Double(support) + 0.5), inputSize, first + maximumTaps)
            let window = first..<Swift.max(last, first)
            let raw = window.map { i -> Float in
                let distance = Float((Double(i) - Double(center) + 0.5) * Double(inverseScale))
                return filter == .bicubic ? keysCubic(distance, a: -0.5) : Swift.max(1 - abs(distance), 0)
            }
            let total = raw.reduce(0, +)
            return zip(window, raw).map { ($0, total != 0 ? $1 / total : $1) }
        }
    }

    /// PyTorch's bicubic without antialiasing (`F.interpolate(mode="bicubic", align_corners=False)`):
    /// four taps around the source position `scale · (o + 0.5) - 0.5`, Keys' cubic with
    /// `a = -0.75`, indices clamped to the image (edge pixels repeat), weights not renormalised.
    static func cubic(from inputSize: Int, to outputSize: Int) -> ResampleAxis {
        let scale = Float(inputSize) / Float(outputSize)
        return ResampleAxis(from: inputSize, to: outputSize, maximumTaps: 4) { o in
            let position = scale * (Float(o) + 0.5) - 0.5
            let index = Swift.min(Int(position.rounded(.down)), inputSize - 1)
            let t = Swift.min(Swift.max(position - Float(index), 0), 1)
            let coefficients = [keysCubic(t + 1, a: -0.75), keysCubic(t, a: -0.75),
                                keysCubic(1 - t, a: -0.75), keysCubic(2 - t, a: -0.75)]
            return (0..<4).map { k in (Swift.min(Swift.max(index - 1 + k, 0), inputSize - 1), coefficients[k]) }
        }
    }

    /// Keys' cubic convolution kernel: `(a+2)|x|³ - (a+3)|x|² + 1` for `|x| < 1`,
    /// `a|x|³ - 5a|x|² + 8a|x| - 4a` for `1 ≤ |x| < 2`, else 0.
    static func keysCubic(_ x: Float, a: Float) -> Float {
        let x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return 0
    }
}
