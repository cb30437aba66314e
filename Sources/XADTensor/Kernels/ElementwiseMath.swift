/// Scalar math written so that loops calling it auto-vectorise (no libm call, no branches, and
/// rounding by the 1.5·2²³ trick because the default x86-64 target has no `roundps`).
package enum ElementwiseMath {
    /// `eˣ` to within about 2 ulp (Cephes' `expf` polynomial), with `exp(x) = 0` below -87.33
    /// (where the true value is subnormal), `+inf` above 88.72 and NaN kept.
    ///
    /// `x = n ln 2 + r` with `|r| <= ln 2 / 2`; `eʳ` by a degree-7 polynomial; `2ⁿ` built from its
    /// bits in two halves so that every intermediate stays a normal number.
    @inline(__always)
    package static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.33654), 88.72284)
        let shifter: Float = 12582912   // 1.5 · 2²³: adding it rounds to an integer
        let shifted = clamped * 1.442695041 + shifter
        let n = shifted - shifter
        let r = (clamped - n * 0.693359375) - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let polynomial = p * r * r + r + 1
        // Wrapping integer operators: overflow checks and smart shifts would stop vectorisation.
        let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let half = exponent &>> 1
        let low = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
        let high = Float(bitPattern: UInt32(bitPattern: (exponent &- half &+ 127) &<< 23))
        let value = polynomial * low * high
        return x < -87.33654 ? 0 : (x > 88.72284 ? .infinity : (x != x ? x : value))
    }

    /// The logistic function `1 / (1 + e⁻ˣ)`, vectorisable; exact 0 and 1 far out.
    @inline(__always)
    package static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
