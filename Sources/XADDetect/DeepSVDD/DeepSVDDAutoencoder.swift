import XADTensor

/// The autoencoder Ruff et al. pretrain Deep SVDD's weights with: the Deep SVDD network as the
/// encoder and a mirrored decoder, trained to reconstruct the (scaled) normal images; the trained
/// encoder then starts Deep SVDD training (``pretrained(_:samples:validation:plan:settings:progress:)``).
///
/// Loss: the mean over the batch of `Σ_pixels (x̂ - x)²` (the paper's code), where `x` is the
/// input after the encoder's ``DeepSVDDNetwork/scaling``.
///
/// Tensors: the encoder's under `encoder.` and the decoder's under `decoder.`.
struct DeepSVDDAutoencoder: TrainableModel {
    var encoder: DeepSVDDNetwork
    var decoder: DeepSVDDDecoder

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("encoder", &encoder)
        visitor.child("decoder", &decoder)
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        let target = try encoder.scaled(batch)
        return try Self.reconstructionLoss(decoder(training: encoder.trainingRepresentation(ofScaled: target)), target)
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try Self.reconstructionLoss(decoder(encoder.forward(batch).representation), encoder.scaled(batch))
    }

    /// `mean_n Σ_{c,h,w} (x̂ - x)²`.
    static func reconstructionLoss(_ reconstruction: Tensor, _ target: Tensor) throws -> Tensor {
        try (reconstruction - target).squared().sum(axes: Array(1..<target.rank)).mean()
    }

    /// `network` after training it as the encoder of this autoencoder on `samples` (the decoder
    /// is new, seeded by `settings.seed`, and dropped afterwards); writes no checkpoints.
    static func pretrained(_ network: DeepSVDDNetwork, samples: Tensor, validation: Tensor?, plan: TrainingPlan,
                           settings: TrainingSettings, progress: FitProgress?) throws -> DeepSVDDNetwork {
        var generator = SeededGenerator(seed: settings.seed ^ 0xDEC0DE)
        let decoder = try DeepSVDDDecoder(representation: network.centre.count, channels: samples.shape[1],
                                          imageSize: Size2(height: samples.shape[2], width: samples.shape[3]),
                                          sigmoidOutput: network.scaling != nil, generator: &generator)
        let loop = TrainingLoop(detector: "deepsvdd autoencoder pretraining", plan: plan,
                                settings: TrainingSettings(seed: settings.seed, maxMinutes: settings.maxMinutes),
                                progress: progress)
        return try loop.run(DeepSVDDAutoencoder(encoder: network, decoder: decoder), samples: samples,
                            validation: validation).model.encoder
    }
}

/// The decoder of ``DeepSVDDAutoencoder``, the encoder's mirror image: a linear map without bias
/// from `φ(x)` to a `[4, H/4, W/4]` grid, LeakyReLU; twice 2x nearest upsampling then a 5x5
/// transposed convolution without bias (4 → 8 channels with batch normalisation without affine
/// parameters and LeakyReLU, then 8 → the image's channels); a sigmoid last when the images are
/// scaled to `[0, 1]` (as Ruff et al.'s MNIST decoder ends).
///
/// Ruff et al.'s decoder reads the 32 numbers of `φ(x)` as a `[2, 4, 4]` grid and upsamples three
/// times, which fits 28 x 28 images only; the linear map fits any size divisible by 4.
struct DeepSVDDDecoder: Layer {
    var fc: Linear
    var deconv1: ConvTranspose2D
    var norm: NormalisationWithoutAffine
    var deconv2: ConvTranspose2D
    let grid: Size2
    let sigmoidOutput: Bool

    init(representation: Int, channels: Int, imageSize: Size2, sigmoidOutput: Bool, generator: inout SeededGenerator) throws {
        grid = Size2(height: imageSize.height / 4, width: imageSize.width / 4)
        let hidden = DeepSVDDNetwork.featureChannels
        fc = try Linear(inputSize: representation, outputSize: hidden * grid.height * grid.width, bias: false,
                        generator: &generator)
        deconv1 = try ConvTranspose2D(inputChannels: hidden, outputChannels: 8, kernelSize: 5, padding: 2, bias: false,
                                      generator: &generator)
        norm = NormalisationWithoutAffine(channels: 8)
        deconv2 = try ConvTranspose2D(inputChannels: 8, outputChannels: channels, kernelSize: 5, padding: 2, bias: false,
                                      generator: &generator)
        self.sigmoidOutput = sigmoidOutput
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("fc", &fc)
        visitor.child("deconv1", &deconv1)
        visitor.child("norm", &norm)
        visitor.child("deconv2", &deconv2)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let hidden = try doubled(DeepSVDDNetwork.leakyReLU(unflattened(input)))
        return try output(deconv2(doubled(DeepSVDDNetwork.leakyReLU(norm(deconv1(hidden))))))
    }

    mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        let hidden = try doubled(DeepSVDDNetwork.leakyReLU(unflattened(input)))
        return try output(deconv2(doubled(DeepSVDDNetwork.leakyReLU(norm(training: deconv1(hidden))))))
    }

    private func unflattened(_ representation: Tensor) throws -> Tensor {
        try fc(representation).reshaped([representation.shape[0], DeepSVDDNetwork.featureChannels, grid.height, grid.width])
    }

    private func doubled(_ x: Tensor) throws -> Tensor {
        try x.resized(to: Size2(height: x.shape[2] * 2, width: x.shape[3] * 2), mode: .nearest)
    }

    private func output(_ x: Tensor) -> Tensor {
        sigmoidOutput ? x.sigmoid() : x
    }
}
