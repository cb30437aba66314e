/// Stochastic gradient descent with optional momentum, L2 weight decay and Nesterov momentum,
/// PyTorch's `torch.optim.SGD` (no dampening) rule for rule:
///
/// ```text
/// d = g + weightDecay · p
/// b = d on the first step, else momentum · b + d          (when momentum ≠ 0)
/// d = d + momentum · b if nesterov, else b
/// p = p - learningRate · d
/// ```
///
/// ```swift
/// var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
/// try sgd.update(&model, along: gradients)
/// ```
public struct SGD: Optimiser {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var nesterov: Bool
    /// The momentum buffer of each parameter, by name.
    public private(set) var velocities: [String: Tensor] = [:]

    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public mutating func step(_ parameter: inout Tensor, gradient: Tensor, name: String) {
        let decay = weightDecay, rate = learningRate, momentum = momentum
        var direction = gradient.detached
        if decay != 0 {
            direction.updateElements(with: parameter) { d, p in for i in d.indices { d[i] += decay * p[i] } }
        }
        if momentum != 0 {
            var velocity: Tensor
            if var previous = velocities.removeValue(forKey: name) {
                previous.updateElements(with: direction) { b, d in for i in b.indices { b[i] = momentum * b[i] + d[i] } }
                velocity = previous
            } else {
                velocity = direction   // copy-on-write keeps the two apart once either changes
            }
            if nesterov {
                direction.updateElements(with: velocity) { d, b in for i in d.indices { d[i] += momentum * b[i] } }
            } else {
                direction = velocity
            }
            velocities[name] = velocity
        }
        parameter.updateElements(with: direction) { p, d in for i in p.indices { p[i] -= rate * d[i] } }
    }
}
