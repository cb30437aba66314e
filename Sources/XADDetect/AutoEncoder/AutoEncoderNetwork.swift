import XADTensor

/// The convolutional autoencoder the ``AutoEncoder`` detector trains, in the spirit of
/// Bergmann et al.'s SSIM-AE (2019), scaled down: `depth` stride-2 4x4 convolutions with
/// LeakyReLU(0.2) (`width`, `2·width`, … channels), a fully connected bottleneck of `latent`
/// numbers (a convolution whose kernel covers the whole remaining grid), and the mirror image
/// back up with transposed convolutions; the last layer is linear (inputs are normalised, not in
/// 0...1).
///
/// Tensors: `encoder.<i>.*`, `bottleneck.*`, `expand.*`, `decoder.<i>.*`. The convolutional
/// halves are ``ConvolutionalHalves``, shared with the ``VAE``.
struct AutoEncoderNetwork: TrainableModel {
    var encoder: Sequential
    var bottleneck: Conv2D
    var expand: ConvTranspose2D
    var decoder: Sequential
    /// The training loss, and the SSIM settings it uses when it is `ssim`.
    let loss: ReconstructionResidual
    let ssim: SSIMSettings

    /// A freshly initialised network for `channels`-channel images of `imageSize`.
    /// - Throws: ``DetectorError/invalidOption(_:)`` when the size is not divisible by `2^depth`.
    init(channels: Int, imageSize: Size2, width: Int, depth: Int, latent: Int, loss: ReconstructionResidual = .l2,
         ssim: SSIMSettings = .gaussian(dataRange: 2), generator: inout SeededGenerator) throws {
        self.loss = loss
        self.ssim = ssim
        let halves = try ConvolutionalHalves(detector: "autoencoder", channels: channels, imageSize: imageSize,
                                             width: width, depth: depth, generator: &generator)
        encoder = halves.encoder
        bottleneck = try Conv2D(inputChannels: halves.deepest, outputChannels: latent, kernelSize: halves.grid, generator: &generator)
        expand = try ConvTranspose2D(inputChannels: latent, outputChannels: halves.deepest, kernelSize: halves.grid,
                                     generator: &generator)
        decoder = try halves.makeDecoder(generator: &generator)
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("encoder", &encoder)
        visitor.child("bottleneck", &bottleneck)
        visitor.child("expand", &expand)
        visitor.child("decoder", &decoder)
    }

    /// The encoder's last feature map `[N, C, h, w]` and the reconstruction `[N, channels, H, W]`.
    func forward(_ input: Tensor) throws -> (features: Tensor, reconstruction: Tensor) {
        let features = try encoder(input)
        let code = try bottleneck(features)
        let reconstruction = try decoder(ConvolutionalHalves.leakyReLU(expand(code)))
        return (features, reconstruction)
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try evaluationLoss(batch)
    }

    /// The reconstruction error of ``loss``: the mean squared error, or 1 - mean SSIM.
    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try loss.loss(batch, forward(batch).reconstruction, ssim: ssim)
    }
}

/// The convolutional encoder and decoder of the ``AutoEncoder`` and the ``VAE``: `depth` 4x4
/// convolutions of stride 2 with LeakyReLU(0.2) (`width`, `2·width`, … channels) down to a grid
/// of `imageSize / 2^depth`, and their mirror image of 4x4 transposed convolutions back up, the
/// last one linear. What joins them (a bottleneck, or a VAE's mean and variance) is the model's.
struct ConvolutionalHalves {
    /// `max(x, 0.2 x)`, written with ReLUs so that it is differentiable with the existing ops.
    static let leakyReLU = Activation("leaky_relu") { x in try x.relu() - (x * -1).relu() * 0.2 }

    let encoder: Sequential
    /// The encoder's output channels and grid: what the join reads and the decoder's input takes.
    let deepest: Int
    let grid: Size2
    private let channels: Int
    private let widths: [Int]

    /// - Throws: ``DetectorError/invalidOption(_:)`` when `imageSize` is not a multiple of `2^depth`.
    init(detector: String, channels: Int, imageSize: Size2, width: Int, depth: Int, generator: inout SeededGenerator) throws {
        let factor = 1 << depth
        guard imageSize.height % factor == 0, imageSize.width % factor == 0,
              imageSize.height >= factor, imageSize.width >= factor else {
            throw DetectorError.invalidOption("\(detector): the image size \(imageSize) must be a multiple of 2^depth = \(factor) (set the preprocessing size, e.g. 64 or 128, or a smaller depth)")
        }
        self.channels = channels
        widths = (0..<depth).map { width << $0 }
        var down: [any Layer] = []
        for (i, outputs) in widths.enumerated() {
            down.append(try Conv2D(inputChannels: i == 0 ? channels : widths[i - 1], outputChannels: outputs,
                                   kernelSize: 4, stride: 2, padding: 1, generator: &generator))
            down.append(Self.leakyReLU)
        }
        encoder = Sequential(down)
        deepest = widths[depth - 1]
        grid = Size2(height: imageSize.height / factor, width: imageSize.width / factor)
    }

    /// The decoder, from `deepest` channels on the grid back to `channels` at the image size
    /// (initialised after the join, so that the autoencoder's tensors draw in their old order).
    func makeDecoder(generator: inout SeededGenerator) throws -> Sequential {
        var up: [any Layer] = []
        for i in stride(from: widths.count - 1, through: 0, by: -1) {
            let outputs = i == 0 ? channels : widths[i - 1]
            up.append(try ConvTranspose2D(inputChannels: widths[i], outputChannels: outputs, kernelSize: 4, stride: 2,
                                          padding: 1, generator: &generator))
            if i > 0 { up.append(Self.leakyReLU) }
        }
        return Sequential(up)
    }
}
