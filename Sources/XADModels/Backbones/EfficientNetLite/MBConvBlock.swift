import XADTensor

/// One mobile inverted-bottleneck block with its batch norms folded (see ``MBConvBlockSpec``):
///
/// `h = relu6(expand(x))` (when the expansion is not 1), `h = relu6(depthwise(h))`,
/// `y = project(h)` (linear), `y += x` when stride is 1 and the channel counts match.
struct MBConvBlock: Sendable {
    let expand: FoldedConvolution?
    let depthwise: FoldedConvolution
    let project: FoldedConvolution
    let hasResidual: Bool

    init(folding block: EfficientNetLiteCheckpoint.Block, hasResidual: Bool) throws {
        expand = try block.expand.map { try FoldedConvolution($0.conv, $0.norm, relu6: true) }
        depthwise = try FoldedConvolution(block.depthwise, block.depthwiseNorm, relu6: true)
        project = try FoldedConvolution(block.project, block.projectNorm, relu6: false)
        self.hasResidual = hasResidual
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let hidden = try depthwise(expand.map { try $0(x) } ?? x)
        var y = try project(hidden)
        guard hasResidual else { return y }
        if y.isTracked { return try y + x }
        InferenceKernels.addInPlace(&y, x)
        return y
    }
}
