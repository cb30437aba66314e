/// How one axis of a separable resampling reads its input: output sample `o` is
/// `Σ_k weights[o · taps + k] · input[indices[o · taps + k]]`.
///
/// The tables follow PyTorch's CPU kernels (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`) step
/// by step, in the same Float32/Float64 mix, so the results agree with `F.interpolate` (and
/// hence torchvision's `resize`) to rounding.
struct ResampleAxis: Sendable {
    let inputSize: Int
    let outputSize: Int
    /// Input samples read per output sample; unused taps carry weight 0 and a valid index.
    let taps: Int
    let indices: [Int]
    let weights: [Float]

    /// Whether this axis keeps its size, in which case both PyTorch and Pillow leave it untouched.
    var isIdentity: Bool { inputSize == outputSize }

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
        let taps = Int(support.rounded(.up)) * 2 + 1
        var indices = [Int](repeating: 0, count: outputSize * taps)
        var weights = [Float](repeating: 0, count: outputSize * taps)
        for o in 0..<outputSize {
            let center = Float(Double(scale) * (Double(o) + 0.5))
            let first = Swift.max(Int(Double(center) - Double(support) + 0.5), 0)
            let count = Swift.min(Swift.max(Swift.min(Int(Double(center) + Double(support) + 0.5), inputSize) - first, 0), taps)
            var total: Float = 0
            for k in 0..<taps {
                indices[o * taps + k] = Swift.min(first + k, inputSize - 1)
                guard k < count else { continue }
                let distance = Float((Double(first + k) - Double(center) + 0.5) * Double(inverseScale))
                let weight = filter == .bicubic ? keysCubic(distance, a: -0.5) : Swift.max(1 - abs(distance), 0)
                weights[o * taps + k] = weight
                total += weight
            }
            if total != 0 {
                for k in 0..<count { weights[o * taps + k] /= total }
            }
        }
        return ResampleAxis(inputSize: inputSize, outputSize: outputSize, taps: taps, indices: indices, weights: weights)
    }

    /// PyTorch's bicubic without antialiasing (`F.interpolate(mode="bicubic", align_corners=False)`):
    /// four taps around the source position `scale · (o + 0.5) - 0.5`, Keys' cubic with
    /// `a = -0.75`, indices clamped to the image (edge pixels repeat), weights not renormalised.
    static func cubic(from inputSize: Int, to outputSize: Int) -> ResampleAxis {
        let scale = Float(inputSize) / Float(outputSize)
        var indices = [Int](repeating: 0, count: outputSize * 4)
        var weights = [Float](repeating: 0, count: outputSize * 4)
        for o in 0..<outputSize {
            let position = scale * (Float(o) + 0.5) - 0.5
            let index = Swift.min(Int(position.rounded(.down)), inputSize - 1)
            let t = Swift.min(Swift.max(position - Float(index), 0), 1)
            let coefficients = [keysCubic(t + 1, a: -0.75), keysCubic(t, a: -0.75),
                                keysCubic(1 - t, a: -0.75), keysCubic(2 - t, a: -0.75)]
            for k in 0..<4 {
                indices[o * 4 + k] = Swift.min(Swift.max(index - 1 + k, 0), inputSize - 1)
                weights[o * 4 + k] = coefficients[k]
            }
        }
        return ResampleAxis(inputSize: inputSize, outputSize: outputSize, taps: 4, indices: indices, weights: weights)
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
