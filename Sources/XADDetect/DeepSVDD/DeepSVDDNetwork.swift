import XADTensor

/// The LeNet-type network Ruff et al. (ICML 2018) use for MNIST, for any image size divisible by
/// 4: optional input scaling (``ContrastScaling``, the paper's preprocessing), then two blocks of a
/// 5x5 convolution without bias (8, then 4 channels), batch normalisation without affine
/// parameters (ε = 1e-4), LeakyReLU (slope 0.01) and 2x2 max pooling, then a linear map without
/// bias to the `representation` numbers `φ(x)`. No bias anywhere: a bias would let the network
/// map everything to the centre `c` (the paper's Proposition 2).
///
/// The one-class objective is the mean of `‖φ(x) - c‖²`; `c` is a buffer, set once before
/// training (``DeepSVDDNetwork/initialCentre(of:batchSize:)``) and saved with the weights.
///
/// Tensors: `scaling.minimum`, `scaling.maximum` (with input scaling), `conv1.weight`,
/// `norm1.running_*`, `conv2.weight`, `norm2.running_*`, `fc.weight`, `centre`.
struct DeepSVDDNetwork: TrainableModel {
    static let leakyReLU = Activation("leaky_relu") { x in try x.relu() - (-x).relu() * 0.01 }

    /// The paper's contrast normalisation and min-max scaling of the input; nil: the prepared image as it is.
    var scaling: ContrastScaling?
    var conv1: Conv2D
    var norm1 = NormalisationWithoutAffine(channels: 8)
    var conv2: Conv2D
    var norm2 = NormalisationWithoutAffine(channels: 4)
    var fc: Linear
    /// The hypersphere's centre `c`, `[representation]`.
    var centre: Tensor

    /// The channels of the last convolutional block.
    static let featureChannels = 4

    /// - Throws: ``DetectorError/invalidOption(_:)`` when the image size is not a multiple of 4.
    init(channels: Int, imageSize: Size2, representation: Int, scaling: ContrastScaling?,
         generator: inout SeededGenerator) throws {
        guard imageSize.height % 4 == 0, imageSize.width % 4 == 0, imageSize.height >= 4, imageSize.width >= 4 else {
            throw DetectorError.invalidOption("deepsvdd: the image size \(imageSize) must be a multiple of 4 (e.g. 28 or 32 for digits)")
        }
        self.scaling = scaling
        conv1 = try Conv2D(inputChannels: channels, outputChannels: 8, kernelSize: 5, padding: 2, bias: false, generator: &generator)
        conv2 = try Conv2D(inputChannels: 8, outputChannels: Self.featureChannels, kernelSize: 5, padding: 2, bias: false,
                           generator: &generator)
        fc = try Linear(inputSize: Self.featureChannels * (imageSize.height / 4) * (imageSize.width / 4),
                        outputSize: representation, bias: false, generator: &generator)
        centre = .zeros([representation])
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        if var scaling {
            visitor.child("scaling", &scaling)
            self.scaling = scaling
        }
        visitor.child("conv1", &conv1)
        visitor.child("norm1", &norm1)
        visitor.child("conv2", &conv2)
        visitor.child("norm2", &norm2)
        visitor.child("fc", &fc)
        visitor.buffer("centre", &centre)
    }

    /// The input as the convolutions see it: scaled by ``scaling`` when there is one.
    func scaled(_ input: Tensor) throws -> Tensor {
        try scaling.map { try $0(input) } ?? input
    }

    /// The last convolutional block's map `[N, 4, H/4, W/4]` and `φ(x)` `[N, representation]`
    /// in evaluation mode (running statistics).
    func forward(_ input: Tensor) throws -> (features: Tensor, representation: Tensor) {
        let first = try Self.leakyReLU(norm1(conv1(scaled(input)))).maxPool2d(kernel: 2)
        let features = try Self.leakyReLU(norm2(conv2(first))).maxPool2d(kernel: 2)
        return (features, try fc(features.flattened(fromAxis: 1)))
    }

    /// `φ` of an already ``scaled(_:)`` batch in training mode (batch statistics, updating the running ones).
    mutating func trainingRepresentation(ofScaled input: Tensor) throws -> Tensor {
        let first = try Self.leakyReLU(norm1(training: conv1(input))).maxPool2d(kernel: 2)
        let features = try Self.leakyReLU(norm2(training: conv2(first))).maxPool2d(kernel: 2)
        return try fc(features.flattened(fromAxis: 1))
    }

    /// `‖φ(x) - c‖²` per image, `[N]`.
    func distances(_ representation: Tensor) throws -> Tensor {
        try (representation - centre).squared().sum(axes: [1])
    }

    /// Ruff et al.'s centre: the mean `φ(x)` of an initial forward pass over `images`, with
    /// coordinates closer to 0 than `eps` = 0.1 moved to `±eps` (a coordinate at 0 is trivially
    /// matched by zero weights).
    func initialCentre(of images: Tensor, batchSize: Int) throws -> Tensor {
        var sum = [Double](repeating: 0, count: centre.count)
        for start in stride(from: 0, to: images.shape[0], by: batchSize) {
            let batch = try images.sliced(axis: 0, range: start..<Swift.min(images.shape[0], start + batchSize))
            let values = try forward(batch).representation.scalars
            for (i, value) in values.enumerated() { sum[i % sum.count] += Double(value) }
        }
        let mean = sum.map { Float($0 / Double(images.shape[0])) }
        return try Tensor(shape: [mean.count], scalars: mean.map { abs($0) < 0.1 ? ($0 < 0 ? -0.1 : 0.1) : $0 })
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try distances(trainingRepresentation(ofScaled: scaled(batch))).mean()
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try distances(forward(batch).representation).mean()
    }
}

/// Batch normalisation without scale and shift (PyTorch's `BatchNorm2d(affine=False)`), as
/// Deep SVDD's network uses it: `(x - μ) / sqrt(σ² + 1e-4)` with the batch's statistics in
/// training and the running ones (momentum 0.1) in evaluation. Buffers `running_mean`, `running_var`.
struct NormalisationWithoutAffine: Layer {
    var runningMean: Tensor
    var runningVariance: Tensor
    static let epsilon: Float = 1e-4

    init(channels: Int) {
        runningMean = .zeros([channels])
        runningVariance = .ones([channels])
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.buffer("running_mean", &runningMean)
        visitor.buffer("running_var", &runningVariance)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.batchNorm(mean: runningMean, variance: runningVariance, scale: nil, shift: nil, epsilon: Self.epsilon)
    }

    mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        let (output, mean, variance) = try input.batchNormTraining(scale: nil, shift: nil, epsilon: Self.epsilon)
        runningMean = try runningMean.detached * 0.9 + mean * 0.1
        runningVariance = try runningVariance.detached * 0.9 + variance * 0.1
        return output
    }
}
