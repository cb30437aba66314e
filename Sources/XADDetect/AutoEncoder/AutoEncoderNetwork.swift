import XADTensor

/// The convolutional autoencoder the ``AutoEncoder`` detector trains, in the spirit of
/// Bergmann et al.'s SSIM-AE (2019), scaled down: `depth` stride-2 4x4 convolutions with
/// LeakyReLU(0.2) (`width`, `2·width`, … channels), a fully connected bottleneck of `latent`
/// numbers (a convolution whose kernel covers the whole remaining grid), and the mirror image
/// back up with transposed convolutions; the last layer is linear (inputs are normalised, not in
/// 0...1).
///
/// Tensors: `encoder.<i>.*`, `bottleneck.*`, `expand.*`, `decoder.<i>.*`.
struct AutoEncoderNetwork: TrainableModel {
    var encoder: Sequential
    var bottleneck: Conv2D
    var expand: ConvTranspose2D
    var decoder: Sequential

    /// `max(x, 0.2 x)`, written with ReLUs so that it is differentiable with the existing ops.
    static let leakyReLU = Activation("leaky_relu") { x in try x.relu() - (x * -1).relu() * 0.2 }

    /// A freshly initialised network for `channels`-channel images of `imageSize`.
    /// - Throws: ``DetectorError/invalidOption(_:)`` when the size is not divisible by `2^depth`.
    init(channels: Int, imageSize: Size2, width: Int, depth: Int, latent: Int, generator: inout SeededGenerator) throws {
        let factor = 1 << depth
        guard imageSize.height % factor == 0, imageSize.width % factor == 0,
              imageSize.height >= factor, imageSize.width >= factor else {
            throw DetectorError.invalidOption("autoencoder: the image size \(imageSize) must be a multiple of 2^depth = \(factor) (set the preprocessing size, e.g. 64 or 128, or a smaller depth)")
        }
        let widths = (0..<depth).map { width << $0 }
        var down: [any Layer] = [], up: [any Layer] = []
        for (i, outputs) in widths.enumerated() {
            down.append(try Conv2D(inputChannels: i == 0 ? channels : widths[i - 1], outputChannels: outputs,
                                   kernelSize: 4, stride: 2, padding: 1, generator: &generator))
            down.append(Self.leakyReLU)
        }
        let grid = Size2(height: imageSize.height / factor, width: imageSize.width / factor)
        let deepest = widths[depth - 1]
        bottleneck = try Conv2D(inputChannels: deepest, outputChannels: latent, kernelSize: grid, generator: &generator)
        expand = try ConvTranspose2D(inputChannels: latent, outputChannels: deepest, kernelSize: grid, generator: &generator)
        for i in stride(from: depth - 1, through: 0, by: -1) {
            let outputs = i == 0 ? channels : widths[i - 1]
            up.append(try ConvTranspose2D(inputChannels: widths[i], outputChannels: outputs, kernelSize: 4, stride: 2,
                                          padding: 1, generator: &generator))
            if i > 0 { up.append(Self.leakyReLU) }
        }
        encoder = Sequential(down)
        decoder = Sequential(up)
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
        let reconstruction = try decoder(Self.leakyReLU(expand(code)))
        return (features, reconstruction)
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try evaluationLoss(batch)
    }

    /// The mean squared reconstruction error.
    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try Loss.meanSquaredError(forward(batch).reconstruction, batch)
    }
}
