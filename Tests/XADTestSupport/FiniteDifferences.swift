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
