/// A fully connected layer (PyTorch's `nn.Linear`) over the last axis.
///
/// `y = x · weightᵀ + bias`, `weight` `[out, in]`, `bias` `[out]`; `x` is `[..., in]`.
///
/// ```swift
/// var g = SeededGenerator(seed: 0)
/// let head = try Linear(inputSize: 64, outputSize: 1, generator: &g)
/// let logits = try head(features)   // [N, 64] -> [N, 1]
/// ```
public struct Linear: Layer {
    public var weight: Tensor
    public var bias: Tensor?

    /// A layer with the given weights.
    /// - Throws: ``TensorError`` when `weight` is not rank 2 or `bias` is not `[out]`.
    public init(weight: Tensor, bias: Tensor? = nil) throws {
        guard weight.rank == 2 else {
            throw TensorError(.shapeMismatch, "Linear", "weight \(weight.shape) must be [out, in]")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError.shapes("Linear", [weight.shape, bias.shape], "disagree: bias must be [\(weight.shape[0])]")
        }
        self.weight = weight
        self.bias = bias
    }

    /// A randomly initialised layer: weight and bias uniform in `±1/sqrt(inputSize)` (PyTorch's
    /// default).
    /// - Throws: ``TensorError`` when a size is not positive.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, generator: inout SeededGenerator) throws {
        guard inputSize > 0, outputSize > 0 else {
            throw TensorError(.invalidArgument, "Linear", "sizes \(inputSize) -> \(outputSize) must be positive")
        }
        let weight = Tensor.kaimingUniform([outputSize, inputSize], fanIn: inputSize, generator: &generator)
        let bias = bias ? Tensor.kaimingUniform([outputSize], fanIn: inputSize, generator: &generator) : nil
        try self.init(weight: weight, bias: bias)
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.parameter("weight", &weight)
        visitor.parameter("bias", &bias)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let product = try input.matmul(weight, transposingOther: true)
        guard let bias else { return product }
        return try product + bias
    }
}
