import XADTensor

/// The trained part of ``FCDD``: two 1x1 convolutions over the frozen backbone's feature map,
/// `φ = W₂ · LeakyReLU(W₁ · f + b₁)` (`[N, 1, h, w]`, no bias on the last, as FCDD's final
/// layer), so that every output pixel scores the receptive field of one feature position.
///
/// Training samples are the backbone's maps, computed once (the backbone is frozen), packed one
/// image per row with their label and, in the pixel-level (semi-supervised) mode, their mask at
/// the image's size: `[label | C·h·w features | H·W mask]`, so the ``TrainingLoop`` shuffles and
/// batches them like images.
///
/// Tensors: `hidden.weight`, `hidden.bias`, `output.weight`.
struct FCDDHead: TrainableModel {
    var hidden: Conv2D
    var output: Conv2D
    /// `[C, h, w]` of the features.
    let featureShape: [Int]
    /// The image size the masks of packed rows have; nil when the rows hold no masks.
    let maskSize: Size2?
    let upsampling: ReceptiveFieldUpsampling

    init(featureShape: [Int], hiddenChannels: Int, maskSize: Size2?, upsampling: ReceptiveFieldUpsampling,
         generator: inout SeededGenerator) throws {
        self.featureShape = featureShape
        self.maskSize = maskSize
        self.upsampling = upsampling
        hidden = try Conv2D(inputChannels: featureShape[0], outputChannels: hiddenChannels, kernelSize: 1, generator: &generator)
        output = try Conv2D(inputChannels: hiddenChannels, outputChannels: 1, kernelSize: 1, bias: false, generator: &generator)
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("hidden", &hidden)
        visitor.child("output", &output)
    }

    /// The pseudo-Huber scores `A = sqrt(φ² + 1) - 1` (`[N, 1, h, w]`) of backbone features `[N, C, h, w]`.
    func scores(_ features: Tensor) throws -> Tensor {
        HypersphereClassifierLoss.pseudoHuber(try output(ConvolutionalHalves.leakyReLU(hidden(features))))
    }

    /// Rows `[label | features | mask]` for `features` (`[N, C, h, w]`), all with `label`, and
    /// `masks` (`[N, 1, H, W]`) when the head trains at pixel level.
    func packed(_ features: Tensor, label: Float, masks: Tensor?) throws -> Tensor {
        let count = features.shape[0]
        var columns = [Tensor(shape: [count, 1], repeating: label), try features.flattened(fromAxis: 1)]
        if let maskSize {
            columns.append(try (masks ?? .zeros([count, 1, maskSize.height, maskSize.width])).flattened(fromAxis: 1))
        }
        return try Tensor.concatenate(columns, axis: 1)
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try evaluationLoss(batch)
    }

    /// The HSC loss of packed rows: pixel level when they hold masks, image level otherwise.
    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        let count = batch.shape[0]
        let featureLength = featureShape.reduce(1, *)
        let features = try batch.sliced(axis: 1, range: 1..<(1 + featureLength)).reshaped([count] + featureShape)
        let scores = try scores(features)
        guard let maskSize else {
            return try HypersphereClassifierLoss.imageLevel(scores, labels: batch.sliced(axis: 1, range: 0..<1).scalars)
        }
        let masks = try batch.sliced(axis: 1, range: (1 + featureLength)..<batch.shape[1])
            .reshaped([count, 1, maskSize.height, maskSize.width])
        return try HypersphereClassifierLoss.pixelLevel(upsampling(scores, to: maskSize), masks: masks)
    }
}
