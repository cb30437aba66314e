/// A module that maps one tensor to another.
///
/// The mode is chosen at the call: `layer(x)` evaluates (inference: batch norm uses its running
/// statistics, nothing changes), `layer(training: x)` is a training step's forward pass (batch
/// norm normalises with the batch's statistics and updates its running ones, hence `mutating`).
/// Layers without such state need only implement `callAsFunction(_:)`; a layer with child
/// layers implements both and calls its children the same way (as ``Sequential`` does), or
/// its children's batch norms would train with running statistics.
///
/// ```swift
/// var model = Sequential(try Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, generator: &g),
///                        BatchNorm2D(channels: 8), Activation.relu)
/// let scores = try model(image)              // eval mode
/// let trained = try model(training: batch)  // train mode
/// ```
public protocol Layer: Module {
    /// The layer in evaluation (inference) mode; never changes the layer.
    func callAsFunction(_ input: Tensor) throws -> Tensor

    /// The layer in training mode, which may update its state. Defaults to the evaluation
    /// forward pass.
    mutating func callAsFunction(training input: Tensor) throws -> Tensor
}

extension Layer {
    public mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        try self(input)
    }
}

/// Layers applied one after another, like PyTorch's `nn.Sequential`: the `i`-th layer's tensors
/// are named `"i.<name>"`.
///
/// `y = layers[n-1](… layers[1](layers[0](x)))`
///
/// ```swift
/// let mlp = Sequential(try Linear(inputSize: 4, outputSize: 8, generator: &g), Activation.relu,
///                      try Linear(inputSize: 8, outputSize: 1, generator: &g))
/// let y = try mlp(x)   // parameter names "0.weight", "0.bias", "2.weight", "2.bias"
/// ```
public struct Sequential: Layer {
    /// The layers, applied in order.
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public init(_ layers: any Layer...) {
        self.init(layers)
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {
        for i in layers.indices { visitor.child(String(i), &layers[i]) }
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { x, layer in try layer(x) }
    }

    public mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        var x = input
        for i in layers.indices { x = try layers[i](training: x) }
        return x
    }
}

/// A parameter-free layer wrapping a tensor function: an activation, or any fixed step such as
/// pooling and flattening inside a ``Sequential``.
///
/// ```swift
/// let y = try Activation.relu(x)        // max(x, 0)
/// let swish = Activation("swish") { x in try x * x.sigmoid() }
/// let pool = Activation("pool") { x in try x.globalAvgPool2d().flattened() }
/// ```
public struct Activation: Layer {
    /// A short name for printing.
    public let name: String
    private let function: @Sendable (Tensor) throws -> Tensor

    public init(_ name: String, _ function: @escaping @Sendable (Tensor) throws -> Tensor) {
        self.name = name
        self.function = function
    }

    public mutating func visit(_ visitor: inout ModuleVisitor) {}

    public func callAsFunction(_ input: Tensor) throws -> Tensor { try function(input) }

    /// `max(x, 0)`.
    public static let relu = Activation("relu") { $0.relu() }
    /// `min(max(x, 0), 6)`.
    public static let relu6 = Activation("relu6") { $0.relu6() }
    /// `1 / (1 + e⁻ˣ)`.
    public static let sigmoid = Activation("sigmoid") { $0.sigmoid() }
    /// `tanh(x)`.
    public static let tanh = Activation("tanh") { $0.tanh() }
    /// `x · relu6(x + 3) / 6`.
    public static let hardswish = Activation("hardswish") { $0.hardswish() }
}
