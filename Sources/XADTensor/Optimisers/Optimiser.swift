/// An update rule that moves parameters against their gradients, keeping any per-parameter
/// state (momentum, moment estimates) by parameter name.
///
/// ```swift
/// var optimiser = Adam(learningRate: 1e-3)
/// let tape = GradientTape()
/// model.watchParameters(on: tape)
/// let loss = try Loss.meanSquaredError(model(training: x), y)
/// try optimiser.update(&model, along: tape.gradients(of: loss, for: model))
/// ```
public protocol Optimiser: Sendable {
    /// The step size; a ``LearningRateSchedule`` may change it between steps.
    var learningRate: Float { get set }

    /// Applies one step to a single tensor whose state is kept under `name`. `gradient` has the
    /// parameter's shape (``update(_:along:)`` checks that).
    mutating func step(_ parameter: inout Tensor, gradient: Tensor, name: String)
}

extension Optimiser {
    /// Applies one step to every parameter of `module` that has a gradient in `gradients`
    /// (by dotted name); parameters without one are left alone, as PyTorch does. Updated
    /// parameters are no longer watched by any tape.
    /// - Throws: ``TensorError`` (nothing is changed) when a gradient's shape differs from its
    ///   parameter's.
    public mutating func update<M: Module>(_ module: inout M, along gradients: [String: Tensor]) throws {
        for (name, parameter) in module.parameters {
            if let gradient = gradients[name], gradient.shape != parameter.shape {
                throw TensorError(.shapeMismatch, "optimiser",
                                  "gradient for \(name) has shape \(gradient.shape), the parameter \(parameter.shape)")
            }
        }
        var optimiser = self
        module.updateParameters { name, parameter in
            guard let gradient = gradients[name] else { return }
            optimiser.step(&parameter, gradient: gradient, name: name)
        }
        self = optimiser
    }
}

/// Elementwise loops shared by the optimisers.
extension Tensor {
    /// Untracks this tensor and calls `body` with its elements, writable, and `other`'s.
    mutating func updateElements(with other: Tensor,
                                 _ body: (UnsafeMutableBufferPointer<Float>, UnsafePointer<Float>) -> Void) {
        self = detached
        withUnsafeMutableBufferPointer { body($0, other.storage.base) }
    }
}
