/// Elementwise functions of one tensor, each differentiable, with PyTorch's semantics (including
/// its choice of gradient at kinks, stated per function).
///
/// ```swift
/// let x = try Tensor(shape: [3], scalars: [-1, 0, 2])
/// x.relu().scalars        // [0, 0, 2]
/// x.clamped(min: 0, max: 1).scalars   // [0, 0, 1]
/// ```
extension Tensor {
    /// `eˣ`.
    public func exp() -> Tensor { unary(Exp()) }

    /// The natural logarithm `ln x` (`-inf` at 0, NaN below).
    public func log() -> Tensor { unary(Log()) }

    /// `√x`; its gradient `1 / (2√x)` is infinite at 0.
    public func sqrt() -> Tensor { unary(SquareRoot()) }

    /// `xᵖ`, with gradient `p xᵖ⁻¹` (0 when `p` is 0).
    public func pow(_ exponent: Float) -> Tensor { unary(Power(exponent: exponent)) }

    /// `x²`.
    public func squared() -> Tensor { unary(Square()) }

    /// `|x|`, with gradient `sign(x)` (0 at 0).
    public func abs() -> Tensor { unary(Absolute()) }

    /// `max(x, 0)`; gradient 1 where `x > 0`, else 0.
    public func relu() -> Tensor { unary(ReLU()) }

    /// `min(max(x, 0), 6)`; gradient 1 where `0 < x < 6`, else 0.
    public func relu6() -> Tensor { unary(ReLU6()) }

    /// `1 / (1 + e⁻ˣ)`; exactly 0 and 1 far out, never overflowing.
    public func sigmoid() -> Tensor { unary(Sigmoid()) }

    /// `tanh x`.
    public func tanh() -> Tensor { unary(HyperbolicTangent()) }

    /// `ln(1 + eˣ)`, and `x` itself above 20 (PyTorch's `softplus` with beta 1, threshold 20).
    public func softplus() -> Tensor { unary(Softplus()) }

    /// `x · relu6(x + 3) / 6`; gradient 0 up to -3, `x / 3 + 1/2` strictly between -3 and 3,
    /// 1 from 3 on (PyTorch 2.15's choice at the two kinks).
    public func hardswish() -> Tensor { unary(HardSwish()) }

    /// Each element limited to `[min, max]` (either bound may be omitted); gradient 1 where
    /// `min < x < max`, else 0 (0 on a bound itself, like `torch.clamp` in PyTorch 2.15).
    public func clamped(min lower: Float?, max upper: Float?) -> Tensor {
        unary(Clamp(lower: lower ?? -.infinity, upper: upper ?? .infinity))
    }

    /// Applies `function` to every element (on all threads when there are many) and records
    /// `gradient = upstream * derivative(input, output)`. Generic, so that each function's
    /// kernels are specialised and vectorised rather than calling a closure per element.
    private func unary<Function: ElementwiseFunction>(_ function: Function) -> Tensor {
        let result = Tensor(shape: shape) { out in
            let x = storage.base
            Tensor.forEachChunk(of: out.count) { range in
                for i in range { out[i] = function.value(x[i]) }
            }
        }
        guard Tensor.anyTracked(self) else { return result }
        return Tensor.recording(result, Function.name, inputs: [self]) { [x = detached, y = result.detached] g, _ in
            [Tensor(shape: x.shape) { out in
                let upstream = g.storage.base, input = x.storage.base, output = y.storage.base
                Tensor.forEachChunk(of: out.count) { range in
                    for i in range { out[i] = upstream[i] * function.derivative(input: input[i], output: output[i]) }
                }
            }]
        }
    }

    /// Runs `body` over consecutive ranges covering `0..<count`, in parallel for large counts.
    /// (Package-visible so that other elementwise kernels can share it.)
    @inline(__always)
    package static func forEachChunk(of count: Int, _ body: (Range<Int>) -> Void) {
        let chunk = 1 << 15
        if count <= chunk {
            body(0..<count)
            return
        }
        Threads.parallelFor((count + chunk - 1) / chunk) { index in
            body((index * chunk)..<Swift.min(count, (index + 1) * chunk))
        }
    }
}

/// One elementwise function and its derivative, as a type so that kernels specialise to it.
private protocol ElementwiseFunction: Sendable {
    /// The operation's name on the tape.
    static var name: String { get }
    func value(_ x: Float) -> Float
    /// `d value / dx` at `x`, given also `y = value(x)` (cheaper for exp, sigmoid, tanh).
    func derivative(input x: Float, output y: Float) -> Float
}

private struct Exp: ElementwiseFunction {
    static let name = "exp"
    func value(_ x: Float) -> Float { ElementwiseMath.exp(x) }
    func derivative(input x: Float, output y: Float) -> Float { y }
}

private struct Log: ElementwiseFunction {
    static let name = "log"
    func value(_ x: Float) -> Float { _log(x) }
    func derivative(input x: Float, output y: Float) -> Float { 1 / x }
}

private struct SquareRoot: ElementwiseFunction {
    static let name = "sqrt"
    func value(_ x: Float) -> Float { x.squareRoot() }
    func derivative(input x: Float, output y: Float) -> Float { 0.5 / y }
}

private struct Power: ElementwiseFunction {
    static let name = "pow"
    let exponent: Float
    func value(_ x: Float) -> Float { _pow(x, exponent) }
    func derivative(input x: Float, output y: Float) -> Float { exponent == 0 ? 0 : exponent * _pow(x, exponent - 1) }
}

private struct Square: ElementwiseFunction {
    static let name = "squared"
    func value(_ x: Float) -> Float { x * x }
    func derivative(input x: Float, output y: Float) -> Float { 2 * x }
}

private struct Absolute: ElementwiseFunction {
    static let name = "abs"
    func value(_ x: Float) -> Float { Swift.abs(x) }
    func derivative(input x: Float, output y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

private struct ReLU: ElementwiseFunction {
    static let name = "relu"
    func value(_ x: Float) -> Float { Swift.max(x, 0) }   // keeps NaN, like PyTorch
    func derivative(input x: Float, output y: Float) -> Float { x > 0 ? 1 : 0 }
}

private struct ReLU6: ElementwiseFunction {
    static let name = "relu6"
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, 0), 6) }
    func derivative(input x: Float, output y: Float) -> Float { x > 0 && x < 6 ? 1 : 0 }
}

private struct Sigmoid: ElementwiseFunction {
    static let name = "sigmoid"
    func value(_ x: Float) -> Float { ElementwiseMath.sigmoid(x) }
    func derivative(input x: Float, output y: Float) -> Float { y * (1 - y) }
}

private struct HyperbolicTangent: ElementwiseFunction {
    static let name = "tanh"
    func value(_ x: Float) -> Float { _tanh(x) }
    func derivative(input x: Float, output y: Float) -> Float { 1 - y * y }
}

private struct Softplus: ElementwiseFunction {
    static let name = "softplus"
    func value(_ x: Float) -> Float { x > 20 ? x : _log1p(ElementwiseMath.exp(x)) }
    func derivative(input x: Float, output y: Float) -> Float { x > 20 ? 1 : ElementwiseMath.sigmoid(x) }
}

private struct HardSwish: ElementwiseFunction {
    static let name = "hardswish"
    func value(_ x: Float) -> Float { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
    func derivative(input x: Float, output y: Float) -> Float { x <= -3 ? 0 : (x < 3 ? x / 3 + 0.5 : 1) }
}

private struct Clamp: ElementwiseFunction {
    static let name = "clamp"
    let lower: Float, upper: Float
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
    func derivative(input x: Float, output y: Float) -> Float { x > lower && x < upper ? 1 : 0 }
}
