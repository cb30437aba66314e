import XADTensor

/// The convolutional variational autoencoder the ``VAE`` detector trains (Kingma and Welling,
/// ICLR 2014): the encoder of ``ConvolutionalHalves`` down to a grid, two fully connected heads
/// (convolutions whose kernel covers the whole grid) giving the mean `μ` and log-variance
/// `log σ²` of a Gaussian code of `latent` numbers, a sample `z = μ + σ · ε` (`ε ~ N(0, 1)`, from
/// the training loop's seeded generator), and the mirrored decoder.
///
/// Loss per image: `Σ_pixels (x - x̂)² + β · KL(N(μ, σ²) ‖ N(0, 1))`, averaged over the batch;
/// with `β = 1` that is the negative evidence lower bound of a Gaussian decoder of variance 1/2,
/// up to a constant. The validation loss decodes `z = μ` (no sampling).
///
/// Tensors: `encoder.<i>.*`, `mean.*`, `logVariance.*`, `expand.*`, `decoder.<i>.*`.
struct VAENetwork: TrainableModel {
    var encoder: Sequential
    var mean: Conv2D
    var logVariance: Conv2D
    var expand: ConvTranspose2D
    var decoder: Sequential
    /// The weight of the KL term in the training loss.
    let beta: Float

    /// What one pass computes, all recorded on the tape when the input is watched.
    struct Pass {
        /// The encoder's last feature map `[N, C, h, w]`.
        var features: Tensor
        /// The code's mean and log-variance, `[N, latent, 1, 1]` each.
        var mean: Tensor
        var logVariance: Tensor
        /// `[N, channels, H, W]`.
        var reconstruction: Tensor
    }

    /// A freshly initialised network for `channels`-channel images of `imageSize`.
    /// - Throws: ``DetectorError/invalidOption(_:)`` when the size is not divisible by `2^depth`.
    init(channels: Int, imageSize: Size2, width: Int, depth: Int, latent: Int, beta: Float,
         generator: inout SeededGenerator) throws {
        let halves = try ConvolutionalHalves(detector: "vae", channels: channels, imageSize: imageSize,
                                             width: width, depth: depth, generator: &generator)
        encoder = halves.encoder
        mean = try Conv2D(inputChannels: halves.deepest, outputChannels: latent, kernelSize: halves.grid, generator: &generator)
        logVariance = try Conv2D(inputChannels: halves.deepest, outputChannels: latent, kernelSize: halves.grid,
                                 generator: &generator)
        expand = try ConvTranspose2D(inputChannels: latent, outputChannels: halves.deepest, kernelSize: halves.grid,
                                     generator: &generator)
        decoder = try halves.makeDecoder(generator: &generator)
        self.beta = beta
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("encoder", &encoder)
        visitor.child("mean", &mean)
        visitor.child("logVariance", &logVariance)
        visitor.child("expand", &expand)
        visitor.child("decoder", &decoder)
    }

    /// Encodes `input` and decodes `noise` scaled by `σ` around `μ` (nil: decodes `μ` itself).
    func forward(_ input: Tensor, noise: Tensor? = nil) throws -> Pass {
        let features = try encoder(input)
        let (mu, logVar) = (try mean(features), try logVariance(features))
        let code = try noise.map { try mu + (logVar * 0.5).exp() * $0 } ?? mu
        let reconstruction = try decoder(ConvolutionalHalves.leakyReLU(expand(code)))
        return Pass(features: features, mean: mu, logVariance: logVar, reconstruction: reconstruction)
    }

    /// `KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (μ² + σ² - log σ² - 1)` per image, `[N]`, summed over the
    /// code; differentiable in both.
    static func klDivergence(mean: Tensor, logVariance: Tensor) throws -> Tensor {
        let terms = try mean.squared() + logVariance.exp() - logVariance - 1
        return try terms.flattened(fromAxis: 1).sum(axes: [1]) * 0.5
    }

    /// The squared reconstruction error per image, `Σ_pixels (x - x̂)²`, `[N]`.
    static func reconstructionError(_ input: Tensor, _ reconstruction: Tensor) throws -> Tensor {
        try (input - reconstruction).squared().flattened(fromAxis: 1).sum(axes: [1])
    }

    /// The batch's mean of `reconstruction error + β · KL`.
    private func loss(_ batch: Tensor, _ pass: Pass) throws -> Tensor {
        let kl = try Self.klDivergence(mean: pass.mean, logVariance: pass.logVariance)
        return try (Self.reconstructionError(batch, pass.reconstruction) + kl * beta).mean()
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        let noise = Tensor.normal([batch.shape[0], mean.weight.shape[0], 1, 1], generator: &generator)
        return try loss(batch, forward(batch, noise: noise))
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try loss(batch, forward(batch))
    }

    /// The latent attention map of Liu et al. (CVPR 2020), `[N, 1, h, w]` on the encoder's grid:
    /// for each code component `i`, Grad-CAM's weights `α_ik = mean_{a,b} ∂μ_i / ∂F_k(a,b)` of the
    /// feature map `F`, then `Σ_i ReLU(Σ_k α_ik F_k)`.
    ///
    /// The mean head is linear in `F` (one weight per channel and grid cell), so `∂μ_i / ∂F` is
    /// its weight `W_i` for every image, and `α` is `W` averaged over the grid: exact, with no
    /// backward pass, and differentiable in `F`.
    func latentAttention(features: Tensor) throws -> Tensor {
        let weights = try mean.weight.mean(axes: [2, 3], keepingDimensions: true)   // [latent, C, 1, 1]
        return try features.conv2d(weights).relu().sum(axes: [1], keepingDimensions: true)
    }
}
