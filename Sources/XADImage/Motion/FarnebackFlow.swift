import Foundation
import XADTensor

/// A dense optical flow method: the motion from one gray frame to the next at every pixel.
public protocol DenseFlowEstimator: Sendable {
    /// The flow from `previous` to `next` (`next(x + u, y + v) ≈ previous(x, y)`). Throws
    /// `ImageError` when the frames' sizes differ.
    func callAsFunction(_ previous: GrayPlane, _ next: GrayPlane) throws -> FlowField
}

extension DenseLucasKanade: DenseFlowEstimator {}

/// Dense optical flow by Gunnar Farnebäck's polynomial expansion ("Two-Frame Motion Estimation
/// Based on Polynomial Expansion", SCIA 2003), with the parameters and conventions of OpenCV's
/// `calcOpticalFlowFarneback(prev, next, None, pyrScale, levels, winSize, iterations, polyN,
/// polySigma, flags)`.
///
/// Each frame's neighbourhoods are approximated by quadratics `xᵀA x + bᵀx + c`
/// (``PolynomialExpansion``). If the second frame is the first moved by `d`, then
/// `A₂ ≈ A₁ = A` and `b₂ = b₁ - 2 A d`; with the mean `A = (A₁ + A₂(x + d₀)) / 2` and
/// `Δb = -(b₂(x + d₀) - b₁) / 2 + A d₀` around the current estimate `d₀`, the displacement solves
/// the windowed least squares `(Σ w AᵀA) d = Σ w AᵀΔb`, with `w` a box of `windowSize` pixels (or
/// a Gaussian of deviation `0.3 windowSize / 2`) and `10⁻³` added to the determinant. This runs
/// `iterations` times per level of a pyramid scaled by `pyramidScale` (levels at least 32 pixels
/// a side, as OpenCV), coarse to fine; each level is the frame blurred by a Gaussian of
/// `(1 / scale - 1) / 2` pixels and resized bilinearly. Pixels within 5 of the border are
/// down-weighted as OpenCV does. Intensities are taken in 0...255 (gray planes times 255), the
/// range that OpenCV's determinant floor was set for.
///
/// Larger windows smooth the flow over objects (on UCSD Ped2 at 180 x 120 the OpenCV speed
/// baseline reaches 0.800 micro AUROC with a 5-pixel window and 0.922 with 15).
///
/// ```swift
/// var farneback = FarnebackFlow()          // OpenCV's 0.5, 3, 15, 3, 5, 1.2, 0
/// let flow = try farneback(previous, next)
/// ```
public struct FarnebackFlow: DenseFlowEstimator {
    /// The scale from one pyramid level to the next coarser one, in (0, 1). Default 0.5.
    public var pyramidScale: Double = 0.5
    /// Pyramid levels above the frame (0: the frame only); fewer where a level would be under 32
    /// pixels a side. Default 3.
    public var levels = 3
    /// The averaging window's side in pixels (OpenCV's `winsize`). Default 15.
    public var windowSize = 15
    /// Displacement updates per pyramid level. Default 3.
    public var iterations = 3
    /// The polynomial expansion's radius (OpenCV's `poly_n`: 5 or 7). Default 5.
    public var polynomialRadius = 5
    /// The expansion's Gaussian applicability, in pixels (OpenCV's `poly_sigma`: 1.1 with radius
    /// 5, 1.5 with 7). Default 1.2 (the AI-VAD fallback's setting).
    public var polynomialSigma: Double = 1.2
    /// A Gaussian window instead of a box (OpenCV's `OPTFLOW_FARNEBACK_GAUSSIAN`): smoother flow,
    /// slower. Default false.
    public var gaussianWindow = false

    public init() {}

    public func callAsFunction(_ previous: GrayPlane, _ next: GrayPlane) throws -> FlowField {
        guard previous.width == next.width, previous.height == next.height else {
            throw ImageError(.invalidArgument, "optical flow",
                             "frames differ in size: \(previous.width)x\(previous.height) and \(next.width)x\(next.height)")
        }
        guard pyramidScale > 0, pyramidScale < 1, levels >= 0, windowSize >= 1, iterations >= 1,
              polynomialRadius >= 1, polynomialSigma > 0, polynomialSigma.isFinite else {
            throw ImageError(.invalidArgument, "Farneback flow",
                             "needs pyramidScale in (0, 1), levels >= 0, windowSize, iterations and polynomialRadius >= 1, polynomialSigma > 0")
        }
        let expansion = PolynomialExpansion(radius: polynomialRadius, sigma: polynomialSigma)
        let (width, height) = (previous.width, previous.height)
        var used = 0, scale = 1.0
        while used < levels {
            scale *= pyramidScale
            if Double(width) * scale < 32 || Double(height) * scale < 32 { break }
            used += 1
        }
        let frames = Tensor(shape: [1, 2, height, width]) { out in
            for i in 0..<(width * height) { out[i] = previous.values[i] * 255; out[width * height + i] = next.values[i] * 255 }
        }
        var flow: FlowField?
        for level in stride(from: used, through: 0, by: -1) {
            let scale = pow(pyramidScale, Double(level))
            let size = Size2(height: Int((Double(height) * scale).rounded(.toNearestOrEven)),
                             width: Int((Double(width) * scale).rounded(.toNearestOrEven)))
            let pair = try Self.pyramidLevel(frames, scale: scale, size: size)
            let first = expansion(pair.0), second = expansion(pair.1)
            var current = try flow.map { try $0.resized(to: size, times: Float(1 / pyramidScale)) } ?? FlowField(width: size.width, height: size.height)
            for _ in 0..<iterations {
                current = FarnebackSystem(first, second, flow: current).solved(window: windowSize, gaussian: gaussianWindow)
            }
            flow = current
        }
        return flow ?? FlowField(width: width, height: height)
    }

    /// Both frames at one pyramid level: blurred by a Gaussian of `(1 / scale - 1) / 2` pixels
    /// (OpenCV's kernel of `round(5 sigma) | 1` taps, at least 3; [1/4, 1/2, 1/4] at full size),
    /// then resized bilinearly to `size`.
    private static func pyramidLevel(_ frames: Tensor, scale: Double, size: Size2) throws -> (GrayPlane, GrayPlane) {
        let sigma = (1 / scale - 1) * 0.5
        let taps = max(Int((sigma * 5).rounded(.toNearestOrEven)) | 1, 3)
        // A 3-tap Gaussian of this deviation is exactly [1/4, 1/2, 1/4], OpenCV's kernel for sigma 0.
        let deviation = sigma > 0 ? Float(sigma) : Float(1 / (2 * log(2.0)).squareRoot())
        var level = try frames.gaussianBlur(sigma: deviation, kernelSize: taps)
        if size.height != frames.shape[2] || size.width != frames.shape[3] {
            level = try level.resampled(to: size, filter: .bilinear, antialias: false)
        }
        let scalars = level.scalars, count = size.width * size.height
        return (GrayPlane(unchecked: size.width, size.height, Array(scalars[0..<count])),
                GrayPlane(unchecked: size.width, size.height, Array(scalars[count..<(2 * count)])))
    }
}

extension FlowField {
    /// The field resized bilinearly (pixel centres aligned, as OpenCV's `INTER_LINEAR`) to
    /// `size`, its displacements multiplied by `factor`.
    func resized(to size: Size2, times factor: Float) throws -> FlowField {
        let resized = try tensor().resampled(to: size, filter: .bilinear, antialias: false).scalars
        let count = size.width * size.height
        var out = FlowField(width: size.width, height: size.height)
        for i in 0..<count { out.u[i] = resized[i] * factor; out.v[i] = resized[count + i] * factor }
        return out
    }
}
