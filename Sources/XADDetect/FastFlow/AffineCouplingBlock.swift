import Foundation
import XADTensor

/// One invertible step of FastFlow's 2D flow: FrEIA's `AllInOneBlock` as anomalib configures it
/// (affine coupling with a soft-clamped scale, then a learned global affine and a fixed channel
/// permutation).
///
/// For `x` `[N, C, H, W]` split along channels into `x₁` (the first `C - ⌊C/2⌋`) and `x₂`:
/// ```
/// a     = 0.1 · subnet(x₁)                         subnet: conv k×k, ReLU, conv k×k (k = 3 or 1)
/// s, t  = clamp · tanh(a[:C₂]), a[C₂:]
/// y     = concat(x₁, x₂ · exp(s) + t)
/// z     = P (y · σ + b)                             σ = 0.2 · softplus(0.5 · globalScale), P a permutation
/// log|det ∂z/∂x| = Σ_{c,h,w} s + H · W · Σ_c log σ_c
/// ```
/// The inverse runs the same steps backwards (`x₁` is untouched, so `s` and `t` are recomputed
/// from it). Tensors: `subnet.0.*`, `subnet.2.*`, `global_scale`, `global_offset` (trained) and
/// `permutation` `[C, C, 1, 1]` (a buffer), named as in anomalib's state dict.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let block = try AffineCouplingBlock(channels: 24, kernelSize: 3, generator: &g)
/// let (z, logDet) = try block.forward(x)      // z [N, 24, H, W], logDet [N]
/// let back = try block.inverse(z)             // x again, to rounding
/// ```
struct AffineCouplingBlock: Module {
    var subnet: Sequential
    /// Before the softplus; initialised so that σ = 1 (anomalib's `global_affine_init = 1`).
    var globalScale: Tensor
    var globalOffset: Tensor
    /// `P` as anomalib stores it (a 1x1 convolution's weight): row `c` is one-hot at the input
    /// channel that lands on `c`. Applied as a gather.
    var permutation: Tensor
    /// The bound of the log-scale `s`.
    let clamp: Float

    /// A fresh block: PyTorch's default convolution initialisation, σ = 1, b = 0, a seeded random
    /// permutation. `hiddenRatio` scales the subnet's hidden channels (from `C - ⌊C/2⌋`).
    init(channels: Int, kernelSize: Int, hiddenRatio: Float = 1, clamp: Float = 2,
         generator: inout SeededGenerator) throws {
        guard channels >= 2 else {
            throw DetectorError.invalidOption("a coupling block needs at least 2 channels, got \(channels)")
        }
        let passive = channels - channels / 2
        let hidden = Swift.max(1, Int(Float(passive) * hiddenRatio))
        let padding = Size2(kernelSize / 2)
        subnet = Sequential(
            try Conv2D(inputChannels: passive, outputChannels: hidden, kernelSize: Size2(kernelSize), padding: padding,
                       generator: &generator),
            Activation.relu,
            try Conv2D(inputChannels: hidden, outputChannels: 2 * (channels / 2), kernelSize: Size2(kernelSize),
                       padding: padding, generator: &generator))
        let initialScale = Float(2 * Foundation.log(Foundation.exp(5.0) - 1))   // 0.2 · softplus(0.5 · this) = 1
        globalScale = Tensor(shape: [1, channels, 1, 1], repeating: initialScale)
        globalOffset = Tensor.zeros([1, channels, 1, 1])
        var order = Array(0..<channels)
        for i in stride(from: channels - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        permutation = Tensor(shape: [channels, channels, 1, 1]) { out in
            for i in 0..<out.count { out[i] = 0 }
            for (row, column) in order.enumerated() { out[row * channels + column] = 1 }
        }
        self.clamp = clamp
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("subnet", &subnet)
        visitor.parameter("global_scale", &globalScale)
        visitor.parameter("global_offset", &globalOffset)
        visitor.buffer("permutation", &permutation)
    }

    var channels: Int { permutation.shape[0] }

    /// `P` as indices: channel `c` of `P y` is channel `order[c]` of `y`.
    private var order: [Int] {
        let values = permutation.scalars
        return (0..<channels).map { row in (0..<channels).first { values[row * channels + $0] == 1 } ?? row }
    }

    /// Channels `order` of `x` `[N, C, H, W]`: `P x` as a gather (a copy), not a C² 1x1 convolution.
    private static func selectingChannels(of x: Tensor, at order: [Int]) throws -> Tensor {
        try x.permuted([1, 0, 2, 3]).rows(at: order).permuted([1, 0, 2, 3])
    }

    /// σ, `[1, C, 1, 1]`.
    private var scale: Tensor { (globalScale * 0.5).softplus() * 0.2 }

    /// `s` and `t` from the passive half.
    private func coupling(_ passive: Tensor) throws -> (logScale: Tensor, shift: Tensor) {
        let a = try subnet(passive) * 0.1
        let active = channels / 2
        return (try a.sliced(axis: 1, range: 0..<active).tanh() * clamp, try a.sliced(axis: 1, range: active..<(2 * active)))
    }

    /// `z` and `log|det ∂z/∂x|` per sample (`[N]`). Differentiable.
    func forward(_ x: Tensor) throws -> (z: Tensor, logDeterminant: Tensor) {
        let split = channels - channels / 2
        let passive = try x.sliced(axis: 1, range: 0..<split)
        let (s, t) = try coupling(passive)
        let coupled = try x.sliced(axis: 1, range: split..<channels) * s.exp() + t
        let y = try Tensor.concatenate([passive, coupled], axis: 1)
        let sigma = scale
        let z = try Self.selectingChannels(of: y * sigma + globalOffset, at: order)
        let pixels = Float(x.shape[2] * x.shape[3])
        let logDeterminant = try s.sum(axes: [1, 2, 3]) + sigma.log().sum() * pixels
        return (z, logDeterminant)
    }

    /// `x` from `z`: the exact inverse of ``forward(_:)``.
    func inverse(_ z: Tensor) throws -> Tensor {
        var inverseOrder = order
        for (row, column) in order.enumerated() { inverseOrder[column] = row }
        let y = try (Self.selectingChannels(of: z, at: inverseOrder) - globalOffset) / scale
        let split = channels - channels / 2
        let passive = try y.sliced(axis: 1, range: 0..<split)
        let (s, t) = try coupling(passive)
        let active = try (y.sliced(axis: 1, range: split..<channels) - t) * (-s).exp()
        return try Tensor.concatenate([passive, active], axis: 1)
    }
}
