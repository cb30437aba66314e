import Foundation

/// Student's two-sample t-test with pooled variance, two-sided: the test TCAV uses to ask whether
/// a concept's sensitivities differ from those of random directions (`scipy.stats.ttest_ind`
/// with its default `equal_var=True`).
///
/// `t = (m₁ - m₂) / sqrt(s² (1/n₁ + 1/n₂))` with `s² = ((n₁-1) v₁ + (n₂-1) v₂) / (n₁ + n₂ - 2)`
/// (`v` the unbiased variances), `df = n₁ + n₂ - 2`, and `p = P(|T_df| ≥ |t|)`.
///
/// ```swift
/// let test = try StudentTTest([0.9, 1.1, 1.0], [0.1, -0.1, 0.0])
/// test.pValue   // 0.0002
/// ```
public struct StudentTTest: Sendable, Equatable {
    /// The t statistic, positive when the first sample's mean is larger.
    public var statistic: Double
    /// `n₁ + n₂ - 2`.
    public var degreesOfFreedom: Double
    /// The two-sided p-value. When both samples have zero variance (t undefined) it is 1 for equal
    /// means and 0 otherwise, so a constant difference counts as certain.
    public var pValue: Double

    /// Tests `first` against `second`.
    /// - Throws: ``ExplainerError/invalidInput(_:)`` when a sample has fewer than 2 values or a
    ///   value is not finite.
    public init(_ first: [Double], _ second: [Double]) throws {
        guard first.count >= 2, second.count >= 2 else {
            throw ExplainerError.invalidInput("a t-test needs at least 2 values in each sample, got \(first.count) and \(second.count)")
        }
        guard (first + second).allSatisfy(\.isFinite) else {
            throw ExplainerError.invalidInput("a t-test sample contains a value that is not finite")
        }
        let (n1, n2) = (Double(first.count), Double(second.count))
        let (mean1, mean2) = (first.reduce(0, +) / n1, second.reduce(0, +) / n2)
        let squares1 = first.reduce(0) { $0 + ($1 - mean1) * ($1 - mean1) }
        let squares2 = second.reduce(0) { $0 + ($1 - mean2) * ($1 - mean2) }
        degreesOfFreedom = n1 + n2 - 2
        let pooledVariance = (squares1 + squares2) / degreesOfFreedom
        let standardError = (pooledVariance * (1 / n1 + 1 / n2)).squareRoot()
        guard standardError > 0 else {
            statistic = mean1 == mean2 ? 0 : (mean1 > mean2 ? .infinity : -.infinity)
            pValue = mean1 == mean2 ? 1 : 0
            return
        }
        statistic = (mean1 - mean2) / standardError
        pValue = Self.twoSidedPValue(t: statistic, degreesOfFreedom: degreesOfFreedom)
    }

    /// `P(|T| ≥ |t|)` for Student's t with `degreesOfFreedom` (> 0):
    /// `I_{df / (df + t²)}(df / 2, 1 / 2)`, the regularised incomplete beta function.
    public static func twoSidedPValue(t: Double, degreesOfFreedom: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        return regularisedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), a: degreesOfFreedom / 2, b: 0.5)
    }
}

/// The regularised incomplete beta function `I_x(a, b) = B(x; a, b) / B(a, b)` for `x` in 0...1,
/// `a, b > 0`: the continued fraction of Numerical Recipes (§6.4, modified Lentz), evaluated
/// directly for `x < (a + 1) / (a + b + 2)` and through `1 - I_{1-x}(b, a)` otherwise, where it
/// converges fast. Accurate to about 1e-14 relative.
func regularisedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * incompleteBetaFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * incompleteBetaFraction(1 - x, a: b, b: a) / b
}

/// The continued fraction of `I_x(a, b)` (Numerical Recipes `betacf`).
private func incompleteBetaFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    let (sum, plus, minus) = (a + b, a + 1, a - 1)
    var c = 1.0
    var d = 1 - sum * x / plus
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var fraction = d
    for m in 1...300 {
        let m = Double(m), twoM = 2 * m
        var step = m * (b - m) * x / ((minus + twoM) * (a + twoM))
        d = 1 + step * d
        if abs(d) < tiny { d = tiny }
        c = 1 + step / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        fraction *= d * c
        step = -(a + m) * (sum + m) * x / ((a + twoM) * (plus + twoM))
        d = 1 + step * d
        if abs(d) < tiny { d = tiny }
        c = 1 + step / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let change = d * c
        fraction *= change
        if abs(change - 1) < 1e-15 { break }
    }
    return fraction
}
