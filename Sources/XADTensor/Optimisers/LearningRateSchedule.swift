#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning rate as a function of the step (epoch) count, matching PyTorch's schedulers.
///
/// ```swift
/// let schedule = CosineAnnealing(total: 100, minimum: 1e-5)
/// for step in 0..<100 {
///     optimiser.learningRate = schedule.learningRate(base: 1e-3, step: step)
///     ...
/// }
/// ```
public protocol LearningRateSchedule: Sendable {
    /// The rate at `step` (0 for the first) when training starts at `base`.
    func learningRate(base: Float, step: Int) -> Float
}

/// Multiplies the rate by `gamma` every `stepSize` steps (PyTorch's `StepLR`):
/// `base · gamma^⌊step / stepSize⌋`.
public struct StepLR: LearningRateSchedule, Codable, Hashable {
    public var stepSize: Int
    public var gamma: Float

    public init(stepSize: Int, gamma: Float = 0.1) {
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(base: Float, step: Int) -> Float {
        let decays = step / Swift.max(stepSize, 1)
        return Float(Double(base) * pow(Double(gamma), Double(decays)))
    }
}

/// Cosine annealing from the base rate down to `minimum` over `total` steps (PyTorch's
/// `CosineAnnealingLR`): `minimum + (base - minimum) · (1 + cos(π · step / total)) / 2`.
/// Past `total` the cosine continues (the rate climbs back), as in PyTorch.
public struct CosineAnnealing: LearningRateSchedule, Codable, Hashable {
    public var total: Int
    public var minimum: Float

    public init(total: Int, minimum: Float = 0) {
        self.total = total
        self.minimum = minimum
    }

    public func learningRate(base: Float, step: Int) -> Float {
        let phase = Double.pi * Double(step) / Double(Swift.max(total, 1))
        return Float(Double(minimum) + (Double(base) - Double(minimum)) * (1 + cos(phase)) / 2)
    }
}
