#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam (Kingma & Ba) with bias correction and optional L2 weight decay, PyTorch's
/// `torch.optim.Adam` (no AMSGrad) rule for rule, at step `t` (counted per parameter):
///
/// ```text
/// g = g + weightDecay · p
/// m = β₁ m + (1 - β₁) g,    v = β₂ v + (1 - β₂) g²
/// p = p - learningRate / (1 - β₁ᵗ) · m / (sqrt(v) / sqrt(1 - β₂ᵗ) + ε)
/// ```
///
/// ```swift
/// var adam = Adam(learningRate: 1e-3)
/// try adam.update(&model, along: gradients)
/// ```
public struct Adam: Optimiser {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    var moments = AdamMoments()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameter: inout Tensor, gradient: Tensor, name: String) {
        var gradient = gradient.detached
        let decay = weightDecay
        if decay != 0 {
            gradient.updateElements(with: parameter) { g, p in for i in g.indices { g[i] += decay * p[i] } }
        }
        momentStep(&parameter, gradient: gradient, name: name)
    }

    /// Adam's step on `gradient` as given (no weight decay).
    mutating func momentStep(_ parameter: inout Tensor, gradient: Tensor, name: String) {
        moments.step(&parameter, gradient: gradient, name: name, learningRate: learningRate,
                     beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's `torch.optim.AdamW`: the
/// parameter first shrinks, `p = p · (1 - learningRate · weightDecay)`, then takes Adam's step
/// on the plain gradient.
///
/// ```swift
/// var adamW = AdamW(learningRate: 1e-3, weightDecay: 0.01)
/// ```
public struct AdamW: Optimiser {
    /// Adam's hyper-parameters and moment estimates; here its `weightDecay` is decoupled.
    public var adam: Adam

    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01) {
        adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public mutating func step(_ parameter: inout Tensor, gradient: Tensor, name: String) {
        // PyTorch forms the factor in double precision.
        let shrink = Float(1 - Double(adam.learningRate) * Double(adam.weightDecay))
        parameter.updateElements(with: parameter) { p, _ in for i in p.indices { p[i] *= shrink } }
        adam.momentStep(&parameter, gradient: gradient, name: name)
    }
}

/// The moment estimates and step counts Adam and AdamW keep per parameter name, and the
/// moment update they share.
struct AdamMoments: Sendable {
    struct Entry: Sendable {
        var mean: Tensor
        var meanSquare: Tensor
        var steps: Int
    }

    var entries: [String: Entry] = [:]

    mutating func step(_ parameter: inout Tensor, gradient: Tensor, name: String, learningRate: Float,
                       beta1: Float, beta2: Float, epsilon: Float) {
        var entry = entries.removeValue(forKey: name)
            ?? Entry(mean: .zeros(parameter.shape), meanSquare: .zeros(parameter.shape), steps: 0)
        entry.steps += 1
        // PyTorch: m.lerp_(g, 1 - β₁), which rounds differently on either side of weight 0.5.
        let weight = 1 - beta1
        if weight < 0.5 {
            entry.mean.updateElements(with: gradient) { m, g in for i in m.indices { m[i] += weight * (g[i] - m[i]) } }
        } else {
            entry.mean.updateElements(with: gradient) { m, g in for i in m.indices { m[i] = g[i] - (g[i] - m[i]) * beta1 } }
        }
        let squareWeight = 1 - beta2
        entry.meanSquare.updateElements(with: gradient) { v, g in
            for i in v.indices { v[i] = v[i] * beta2 + squareWeight * g[i] * g[i] }
        }
        // Bias corrections in double precision, as PyTorch computes them in Python.
        let t = Double(entry.steps)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let correction = Float((1 - pow(Double(beta2), t)).squareRoot())
        let mean = entry.mean, meanSquare = entry.meanSquare.storage.base
        parameter.updateElements(with: mean) { p, m in
            for i in p.indices { p[i] -= stepSize * (m[i] / (meanSquare[i].squareRoot() / correction + epsilon)) }
        }
        entries[name] = entry
    }
}
