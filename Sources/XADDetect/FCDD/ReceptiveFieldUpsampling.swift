import Foundation
import XADModels
import XADTensor

/// FCDD's heat-map upsampling (Liznerski et al., ICLR 2021, Sec. 3, "Heatmap Upsampling"): each
/// output pixel of a fully convolutional network spreads its value over its receptive field
/// with a fixed Gaussian, by a transposed convolution whose kernel is that Gaussian.
///
/// For an output map `A` (`[N, 1, h, w]`) of a network with receptive field `r`, jump (stride)
/// `j` and first receptive-field centre `s`, the map at the input's size is
///
/// `A'[y, x] = Σ_{u, v} A[u, v] · G[y + p - s - u·j, x + p - s - v·j]`,   `p = (r - 1) / 2`,
///
/// with `G[a, b] = g[a] · g[b]` the unnormalised `r x r` Gaussian of FCDD's `gkern`
/// (`g[i] = exp(-(i - (r - 1)/2)² / (2σ²))`; an even `r` samples `r - 1` points and doubles the
/// centre, then halves the whole). The default σ follows the receptive field as FCDD's
/// `kernel_size_to_std` does: `log10(0.45 r + 1) + 0.25` below 32 pixels, 10 above.
/// Differentiable with respect to `A`.
///
/// ```swift
/// let upsampling = ReceptiveFieldUpsampling(receptiveField: 67, jump: 8)
/// let heatmap = try upsampling(scores, to: Size2(256))   // [N, 1, 32, 32] -> [N, 1, 256, 256]
/// ```
public struct ReceptiveFieldUpsampling: Sendable, Equatable {
    /// The receptive field `r` of one output pixel, in input pixels.
    public let receptiveField: Int
    /// The distance `j` between neighbouring output pixels' fields, in input pixels.
    public let jump: Int
    /// The centre `s` of the first output pixel's field (0 for "same" padding throughout).
    public let start: Int
    /// The Gaussian's standard deviation, in input pixels.
    public let sigma: Float

    /// An upsampling for output pixels with receptive field `receptiveField`, `jump` apart,
    /// the first centred at `start`.
    /// - Parameters:
    ///   - receptiveField: The receptive field `r` of one output pixel, in input pixels.
    ///   - jump: The distance `j` between neighbouring output pixels' fields, in input pixels.
    ///   - start: The centre `s` of the first output pixel's field.
    ///   - sigma: The Gaussian's standard deviation; nil takes ``defaultSigma(receptiveField:)``.
    public init(receptiveField: Int, jump: Int, start: Int = 0, sigma: Float? = nil) {
        self.receptiveField = receptiveField
        self.jump = jump
        self.start = start
        self.sigma = sigma ?? Self.defaultSigma(receptiveField: receptiveField)
    }

    /// FCDD's `kernel_size_to_std`: `log10(0.45 r + 1) + 0.25` for `r < 32`, else 10.
    public static func defaultSigma(receptiveField r: Int) -> Float {
        r < 32 ? Float(log10(0.45 * Double(r) + 1) + 0.25) : 10
    }

    /// FCDD's `gkern(r, σ)` as `[r, r]` (row-major): the outer product of the 1-D window.
    public static func gaussianKernel(size r: Int, sigma: Float) -> Tensor {
        func window(_ count: Int) -> [Float] {
            (0..<count).map { i in
                let offset = Double(i) - Double(count - 1) / 2
                return Float(exp(-offset * offset / (2 * Double(sigma) * Double(sigma))))
            }
        }
        var line = window(r % 2 == 0 ? r - 1 : r)
        if r % 2 == 0 {
            line.insert(line[(r - 1) / 2], at: (r - 1) / 2)
            line = line.map { $0 / 2 }
        }
        return Tensor(shape: [r, r]) { buffer in
            for y in 0..<r { for x in 0..<r { buffer[y * r + x] = line[y] * line[x] } }
        }
    }

    /// Throws ``DetectorError/invalidOption(_:)`` for a field, jump or start no network has.
    public func validate() throws {
        guard receptiveField >= 1, jump >= 1, start >= 0, start <= (receptiveField - 1) / 2, sigma > 0, sigma.isFinite else {
            throw DetectorError.invalidOption("FCDD's receptive-field upsampling needs r >= 1, j >= 1, 0 <= s <= (r - 1) / 2 and sigma > 0; got r \(receptiveField), j \(jump), s \(start), sigma \(sigma)")
        }
    }

    /// `map` (`[N, 1, h, w]`) spread over the input of `size` (`[N, 1, H, W]`).
    /// - Throws: `TensorError` when `map` is not `[N, 1, h, w]`.
    public func callAsFunction(_ map: Tensor, to size: Size2) throws -> Tensor {
        let kernel = try Self.gaussianKernel(size: receptiveField, sigma: sigma).reshaped([1, 1, receptiveField, receptiveField])
        let spread = try map.convTranspose2d(kernel, stride: Size2(jump))   // (h - 1)·j + r per axis
        let offset = (receptiveField - 1) / 2 - start
        // PyTorch's output padding extends the spread with zeros below and right; then FCDD crops
        // `offset` pixels off the top and left, keeping the input's size.
        let missing = (height: Swift.max(0, offset + size.height - spread.shape[2]),
                       width: Swift.max(0, offset + size.width - spread.shape[3]))
        let extended = missing == (0, 0) ? spread
            : try spread.padded([(0, 0), (0, 0), (0, missing.height), (0, missing.width)])
        return try extended.sliced(axis: 2, range: offset..<(offset + size.height))
            .sliced(axis: 3, range: offset..<(offset + size.width))
    }

    /// The upsampling for backbone tap `layer`: the receptive field and jump of an EfficientNet-Lite
    /// tap computed from its architecture (stem 3x3 stride 2, then each block's depthwise `k x k`
    /// at its stride; 1x1 convolutions add nothing; "same" padding keeps `s = 0`), or
    /// `receptiveField` with the tap's stride for any other backbone.
    /// - Throws: ``DetectorError/invalidOption(_:)`` for an unknown tap, or another backbone
    ///   without a given `receptiveField`.
    public static func forTap(_ layer: String, of backbone: any Backbone, receptiveField given: Int?,
                              sigma: Float?) throws -> ReceptiveFieldUpsampling {
        guard let tap = backbone.tap(named: layer) else {
            throw DetectorError.invalidOption("FCDD: the backbone has no tap '\(layer)' (it has \(backbone.taps.map(\.name)))")
        }
        if let given { return ReceptiveFieldUpsampling(receptiveField: given, jump: tap.stride, sigma: sigma) }
        guard let network = backbone as? EfficientNetLite,
              let tapIndex = network.architecture.taps.firstIndex(where: { $0.name == layer }) else {
            throw DetectorError.invalidOption("FCDD: the receptive field of '\(layer)' is known for EfficientNet-Lite backbones only; give it with --set receptiveField=...")
        }
        var (field, jump) = (3, 2)   // the stem
        for block in network.architecture.blocks.prefix(network.architecture.blocksBeforeTap[tapIndex]) {
            field += (block.kernel - 1) * jump
            jump *= block.stride
        }
        return ReceptiveFieldUpsampling(receptiveField: field, jump: jump, sigma: sigma)
    }
}
