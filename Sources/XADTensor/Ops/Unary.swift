/// Elementwise functions of one tensor, each differentiable, with PyTorch's semantics (including
/// its choice of gradient at kinks, stated per function).
///
/// ```swift
/// let x = try Tensor(shape: [3], scalars: [-1, 0, 2])
/// x.relu().scalars        // [0, 0, 2]
/// x.clamped(min: 0, max: 1).scalars   // [0, 0, 1]
/// ```
extension Tensor {
    /// Applies `forward` to every element and records the backward rule
    /// `gradient = upstream * derivative(input, output)`.
    @inline(__always)
    private func unary(_ name: String, _ forward: (Float) -> Float,
                       derivative: @escaping @Sendable (_ input: Float, _ output: Float) -> Float) -> Tensor {
        let result = map(forward)
        guard Tensor.anyTracked(self) else { return result }
        return Tensor.recording(result, name, inputs: [self]) { [x = detached, y = result.detached] g, _ in
            [Tensor.elementwise(g, x, y) { g, x, y in g * derivative(x, y) }]
        }
    }

    /// `eˣ`.
    public func exp() -> Tensor { unary("exp", { _exp($0) }, derivative: { _, y in y }) }

    /// The natural logarithm `ln x` (`-inf` at 0, NaN below).
    public func log() -> Tensor { unary("log", { _log($0) }, derivative: { x, _ in 1 / x }) }

    /// `√x`; its gradient `1 / (2√x)` is infinite at 0.
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }

    /// `xᵖ`, with gradient `p xᵖ⁻¹` (0 when `p` is 0).
    public func pow(_ exponent: Float) -> Tensor {
        unary("pow", { _pow($0, exponent) }, derivative: { x, _ in
            exponent == 0 ? 0 : exponent * _pow(x, exponent - 1)
        })
    }

    /// `x²`.
    public func squared() -> Tensor { unary("squared", { $0 * $0 }, derivative: { x, _ in 2 * x }) }

    /// `|x|`, with gradient `sign(x)` (0 at 0).
    public func abs() -> Tensor {
        unary("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }

    /// `max(x, 0)`; gradient 1 where `x > 0`, else 0.
    public func relu() -> Tensor { unary("relu", { $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 }) }

    /// `min(max(x, 0), 6)`; gradient 1 where `0 < x < 6`, else 0.
    public func relu6() -> Tensor {
        unary("relu6", { Swift.min(Swift.max($0, 0), 6) }, derivative: { x, _ in x > 0 && x < 6 ? 1 : 0 })
    }

    /// `1 / (1 + e⁻ˣ)`, computed without overflow for large `|x|`.
    public func sigmoid() -> Tensor {
        unary("sigmoid", { Tensor.sigmoid($0) }, derivative: { _, y in y * (1 - y) })
    }

    /// `tanh x`.
    public func tanh() -> Tensor { unary("tanh", { _tanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// `ln(1 + eˣ)`, and `x` itself above 20 (PyTorch's `softplus` with beta 1, threshold 20).
    public func softplus() -> Tensor {
        unary("softplus", { $0 > 20 ? $0 : _log1p(_exp($0)) },
              derivative: { x, _ in x > 20 ? 1 : Tensor.sigmoid(x) })
    }

    /// `x · relu6(x + 3) / 6`; gradient 0 up to -3, `x / 3 + 1/2` strictly between -3 and 3,
    /// 1 from 3 on (PyTorch 2.15's choice at the two kinks).
    public func hardswish() -> Tensor {
        unary("hardswish", { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }, derivative: { x, _ in
            x <= -3 ? 0 : (x < 3 ? x / 3 + 0.5 : 1)
        })
    }

    /// Each element limited to `[min, max]` (either bound may be omitted); gradient 1 where
    /// `min < x < max`, else 0 (0 on a bound itself, like `torch.clamp` in PyTorch 2.15).
    public func clamped(min lower: Float?, max upper: Float?) -> Tensor {
        let low = lower ?? -.infinity, high = upper ?? .infinity
        return unary("clamp", { Swift.min(Swift.max($0, low), high) }, derivative: { x, _ in
            x > low && x < high ? 1 : 0
        })
    }

    /// The logistic function of one number, stable for large `|x|`.
    @inline(__always)
    package static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + _exp(-x)) }
        let e = _exp(x)
        return e / (1 + e)
    }
}
