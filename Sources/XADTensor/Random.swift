/// A small, fast, seeded random number generator (xoshiro256**, seeded through SplitMix64):
/// the same seed gives the same numbers on every platform, so seeded methods are reproducible.
///
/// ```swift
/// var generator = SeededGenerator(seed: 42)
/// let weights = Tensor.normal([64, 3, 3, 3], std: 0.1, generator: &generator)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal Float (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Swift.max(nextUnitFloat(), .leastNormalMagnitude)
        let u2 = nextUnitFloat()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }
}

extension Tensor {
    /// Elements drawn uniformly from `range`.
    public static func uniform(_ shape: [Int], in range: Range<Float> = 0..<1,
                               generator: inout SeededGenerator) -> Tensor {
        let width = range.upperBound - range.lowerBound
        return Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = range.lowerBound + width * generator.nextUnitFloat() }
        }
    }

    /// Elements drawn from a normal distribution.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { buffer in
            for i in buffer.indices { buffer[i] = mean + std * generator.nextNormal() }
        }
    }
}
