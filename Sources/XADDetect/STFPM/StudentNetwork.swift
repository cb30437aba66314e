import XADModels
import XADTensor

/// STFPM's student: the teacher's EfficientNet-Lite layout (``EfficientNetLiteArchitecture``) up
/// to the deepest tap it is trained on, with trainable convolutions and batch norms, from random
/// weights (timm's `efficientnet_lite0(pretrained=False)`, which anomalib's student is).
///
/// Stem `relu6(bn(conv3x3/2(x)))`, then MBConv blocks (``StudentBlock``); the feature map after
/// the block that ends each tap's stage is returned under the tap's name.
///
/// Initialisation as timm's `_init_weight_goog`: convolution kernels `N(0, √(2 / fanOut))` with
/// `fanOut = k² · out / groups`, batch norms γ = 1, β = 0 (PyTorch's epsilon 1e-5).
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// var student = try StudentNetwork(EfficientNetLiteArchitecture(.lite0), layers: ["stage1", "stage2", "stage3"], generator: &g)
/// let maps = try student(training: batch)   // ["stage1": [N, 24, H/4, W/4], ...]
/// ```
/// Tensors: `stem.{0,1}.*`, `blocks.<i>.{expand,depthwise,project}.{0,1}.*`.
struct StudentNetwork: Module {
    /// The taps returned, in the order the network computes them.
    let taps: [FeatureTap]
    /// For each returned tap, the number of blocks run before it is read.
    let blocksBeforeTap: [Int]
    var stem: Sequential
    var blocks: [StudentBlock]

    /// - Throws: `BackboneError` for a layer the architecture has no tap for.
    init(_ architecture: EfficientNetLiteArchitecture, layers: [String], generator: inout SeededGenerator) throws {
        let indices = try layers.map { layer in
            guard let index = architecture.taps.firstIndex(where: { $0.name == layer }) else {
                throw BackboneError("no feature tap named \"\(layer)\"; EfficientNet-Lite has \(architecture.taps.map(\.name).joined(separator: ", "))")
            }
            return index
        }.sorted()
        taps = indices.map { architecture.taps[$0] }
        blocksBeforeTap = indices.map { architecture.blocksBeforeTap[$0] }
        stem = try Self.convolution(3, EfficientNetLiteArchitecture.stemChannels, kernel: 3, stride: 2, relu6: true,
                                    generator: &generator)
        blocks = try architecture.blocks.prefix(blocksBeforeTap.last ?? 0).map { try StudentBlock($0, generator: &generator) }
    }

    /// `relu6(bn(conv(x)))` (or without the ReLU6) with symmetric `(k - 1) / 2` padding, no bias.
    static func convolution(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, groups: Int = 1, relu6: Bool,
                            generator: inout SeededGenerator) throws -> Sequential {
        let fanOut = kernel * kernel * output / groups
        let weight = Tensor.normal([output, input / groups, kernel, kernel], std: (2 / Float(fanOut)).squareRoot(),
                                   generator: &generator)
        let convolution = try Conv2D(weight: weight, stride: Size2(stride), padding: Size2((kernel - 1) / 2), groups: groups)
        let norm = BatchNorm2D(channels: output)
        return relu6 ? Sequential(convolution, norm, Activation.relu6) : Sequential(convolution, norm)
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("stem", &stem)
        for index in blocks.indices { visitor.child("blocks.\(index)", &blocks[index]) }
    }

    /// The tap maps in evaluation mode (running batch-norm statistics).
    func callAsFunction(_ input: Tensor) throws -> [String: Tensor] {
        var copy = self
        return try copy.forward(input, training: false)
    }

    /// The tap maps of a training step: batch norms use the batch's statistics and update their
    /// running ones.
    mutating func callAsFunction(training input: Tensor) throws -> [String: Tensor] {
        try forward(input, training: true)
    }

    private mutating func forward(_ input: Tensor, training: Bool) throws -> [String: Tensor] {
        var x = training ? try stem(training: input) : try stem(input)
        var maps: [String: Tensor] = [:]
        var index = 0
        for (tap, end) in zip(taps, blocksBeforeTap) {
            while index < end {
                x = training ? try blocks[index](training: x) : try blocks[index](x)
                index += 1
            }
            maps[tap.name] = x
        }
        return maps
    }
}

/// One trainable MBConv block of the student (``MBConvBlockSpec``): `[1x1 expand + BN + ReLU6]`,
/// `kxk depthwise + BN + ReLU6`, `1x1 project + BN`, plus the input when stride is 1 and the
/// channel counts match.
struct StudentBlock: Layer {
    var expand: Sequential?
    var depthwise: Sequential
    var project: Sequential
    let hasResidual: Bool

    init(_ spec: MBConvBlockSpec, generator: inout SeededGenerator) throws {
        let hidden = spec.hiddenChannels
        expand = spec.expansion == 1 ? nil
            : try StudentNetwork.convolution(spec.inChannels, hidden, kernel: 1, relu6: true, generator: &generator)
        depthwise = try StudentNetwork.convolution(hidden, hidden, kernel: spec.kernel, stride: spec.stride, groups: hidden,
                                                   relu6: true, generator: &generator)
        project = try StudentNetwork.convolution(hidden, spec.outChannels, kernel: 1, relu6: false, generator: &generator)
        hasResidual = spec.hasResidual
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        if var layer = expand {
            visitor.child("expand", &layer)
            expand = layer
        }
        visitor.child("depthwise", &depthwise)
        visitor.child("project", &project)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try project(depthwise(expand.map { try $0(x) } ?? x))
        return hasResidual ? try y + x : y
    }

    mutating func callAsFunction(training x: Tensor) throws -> Tensor {
        var hidden = x
        if var layer = expand {
            hidden = try layer(training: x)
            expand = layer
        }
        hidden = try depthwise(training: hidden)
        let y = try project(training: hidden)
        return hasResidual ? try y + x : y
    }
}
