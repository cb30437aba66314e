/// Layer normalisation over the trailing axes (PyTorch's `nn.LayerNorm(shape)` with
/// `elementwise_affine=True`): each sample is normalised by the mean and (biased) variance of
/// all its values along those axes, then scaled and shifted elementwise.
///
/// `y = (x - mean(x)) / sqrt(var(x) + epsilon) · weight + bias`, the statistics taken per sample
/// over the last `weight.rank` axes; `weight` and `bias` have that trailing shape (ones and zeros
/// at first). Tensors are named `"weight"` and `"bias"`, as in PyTorch.
///
/// ```swift
/// let norm = LayerNorm(shape: [24, 64, 64])   // FastFlow's norm of a [N, 24, 64, 64] feature map
/// let y = try norm(features)                   // per image: mean 0, variance 1 before the affine
/// ```
public struct LayerNorm: Layer {
    public var weight: Tensor
    public var bias: Tensor
    /// Added to the variance. Default 1e-5, as PyTorch's.
    public let epsilon: Float

    /// A fresh layer normalising over trailing axes of `shape`: weight ones, bias zeros.
    public init(shape: [Int], epsilon: Float = 1e-5) {
        weight = Tensor.ones(shape)
        bias = Tensor.zeros(shape)
        self.epsilon = epsilon
    }

    /// A layer with the given weights (loaded).
    /// - Throws: ``TensorError`` when `weight` and `bias` differ in shape.
    public init(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) throws {
        guard weight.shape == bias.shape, weight.rank >= 1 else {
            throw TensorError.shapes("LayerNorm", [weight.shape, bias.shape], "disagree: weight and bias must have one shape")
        }
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.parameter("weight", &weight)
        visitor.parameter("bias", &bias)
    }

    /// - Throws: ``TensorError`` when the input's trailing axes are not the layer's shape.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let trailing = weight.rank
        guard input.rank > trailing, Array(input.shape.suffix(trailing)) == weight.shape else {
            throw TensorError.shapes("LayerNorm", [input.shape, weight.shape], "disagree: the input must end with the layer's shape")
        }
        let axes = Array((input.rank - trailing)..<input.rank)
        let centred = try input - input.mean(axes: axes, keepingDimensions: true)
        let variance = try centred.squared().mean(axes: axes, keepingDimensions: true)
        return try centred / (variance + epsilon).sqrt() * weight + bias
    }
}
