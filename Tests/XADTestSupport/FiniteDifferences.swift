import XADTensor

/// The gradient of `sum(f(x))` with respect to `x`, by central differences:
/// `(sum f(x + ε eᵢ) - sum f(x - ε eᵢ)) / 2ε` for every element `i`.
///
/// Sums are accumulated in Double so that the only error left is the truncation error of the
/// difference quotient (order ε²) plus Float32 rounding in `f` itself; compare with a loose
/// tolerance (about 1e-2 relative). `f` is evaluated `2 * x.count` times, so keep `x` small.
///
/// ```swift
/// let numeric = try numericalGradient(of: { $0.sigmoid() }, at: x)
/// let analytic = try tape.gradient(of: x.sigmoid(), withRespectTo: watchedX)
/// ```
public func numericalGradient(of f: (Tensor) throws -> Tensor, at x: Tensor,
                              epsilon: Float = 1e-2) throws -> Tensor {
    let base = x.scalars
    var gradient = [Float](repeating: 0, count: base.count)
    for i in base.indices {
        var shifted = base
        shifted[i] = base[i] + epsilon
        let plus = try f(Tensor(shape: x.shape, scalars: shifted)).scalars.reduce(0.0) { $0 + Double($1) }
        shifted[i] = base[i] - epsilon
        let minus = try f(Tensor(shape: x.shape, scalars: shifted)).scalars.reduce(0.0) { $0 + Double($1) }
        gradient[i] = Float((plus - minus) / (2 * Double(epsilon)))
    }
    return try Tensor(shape: x.shape, scalars: gradient)
}

/// Compares an operation with a fixture that holds its inputs (under `inputs`), its output `y`,
/// an upstream gradient `g` and the inputs' gradients `d<input>` (the layout written by
/// `Tools/reference/gen_tensor_ops.py`).
///
/// Runs `operation` on watched copies of the inputs, back-propagates `g`, and returns the
/// ``toleranceRatio(_:_:absolute:relative:)`` of the output (`"y"`) and of each gradient
/// (`"d<input>"`): every value at most 1 means the operation matches.
///
/// ```swift
/// let ratios = try fixtureMismatch(Fixture("tensor_ops/unary_exp.json"), inputs: ["x"],
///                                  absolute: 1e-6, relative: 1e-5) { try $0[0].exp() }
/// for (key, ratio) in ratios { #expect(ratio <= 1, "\(key)") }
/// ```
public func fixtureMismatch(_ fixture: Fixture, inputs names: [String], absolute: Float, relative: Float,
                            _ operation: ([Tensor]) throws -> Tensor) throws -> [String: Float] {
    let tape = GradientTape()
    let inputs = try names.map { tape.watch(try fixture.tensor($0)) }
    let output = try operation(inputs)
    let gradients = try tape.gradients(of: output, withRespectTo: inputs, seed: try fixture.tensor("g"))
    var ratios = ["y": toleranceRatio(output, try fixture.tensor("y"), absolute: absolute, relative: relative)]
    for (name, gradient) in zip(names, gradients) {
        ratios["d" + name] = toleranceRatio(gradient, try fixture.tensor("d" + name), absolute: absolute, relative: relative)
    }
    return ratios
}
