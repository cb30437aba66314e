import Synchronization

/// Records operations on the tensors it watches, then computes gradients by reverse-mode
/// automatic differentiation (define-by-run).
///
/// Only computations that involve a watched tensor are recorded; everything else runs in
/// inference mode and keeps no extra memory. A tape can be used from several threads.
///
/// ```swift
/// let tape = GradientTape()
/// let x = tape.watch(try Tensor(shape: [3], scalars: [1, 2, 3]))
/// let y = try (x * x).sum()                     // 14
/// let dx = try tape.gradient(of: y, withRespectTo: x)   // [2, 4, 6]
/// ```
public final class GradientTape: Sendable {
    /// Maps the gradient of an operation's output to the gradients of its inputs.
    /// `needed[i]` is false when input `i` needs no gradient; the closure may return nil there.
    package typealias Backward = @Sendable (_ upstream: Tensor, _ needed: [Bool]) throws -> [Tensor?]

    private struct Node: Sendable {
        let inputs: [Int?]
        let backward: Backward?
        let operation: String
    }

    private let nodes = Mutex<[Node]>([])

    public init() {}

    /// A copy of `tensor` that this tape watches: operations on it are recorded.
    public func watch(_ tensor: Tensor) -> Tensor {
        var watched = tensor.detached
        watched.tracking = Tracking(tape: self, node: append(Node(inputs: [], backward: nil, operation: "watch")))
        return watched
    }

    /// Records an operation whose inputs are the given nodes; returns its node id.
    package func record(inputs: [Int?], operation: String, backward: @escaping Backward) -> Int {
        append(Node(inputs: inputs, backward: backward, operation: operation))
    }

    private func append(_ node: Node) -> Int {
        nodes.withLock { nodes in
            nodes.append(node)
            return nodes.count - 1
        }
    }

    /// The gradient of `output` with respect to one watched tensor.
    public func gradient(of output: Tensor, withRespectTo input: Tensor, seed: Tensor? = nil) throws -> Tensor {
        try gradients(of: output, withRespectTo: [input], seed: seed)[0]
    }

    /// The gradients of `output` with respect to watched tensors, in their order.
    ///
    /// `seed` is the gradient flowing into `output` (default: ones, i.e. d sum(output)). An input
    /// that `output` does not depend on gets a zero gradient.
    /// - Throws: ``TensorError`` when `output` or an input is not recorded on this tape, or when
    ///   `seed`'s shape differs from `output`'s.
    public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil) throws -> [Tensor] {
        guard let outputNode = node(of: output) else {
            throw TensorError(.notDifferentiable, "gradient", "the output was not computed from a tensor this tape watches")
        }
        let targets = try inputs.map { input -> Int in
            guard let id = node(of: input) else {
                throw TensorError(.notDifferentiable, "gradient", "an input of shape \(input.shape) is not watched by this tape")
            }
            return id
        }
        if let seed, seed.shape != output.shape {
            throw TensorError.shapes("gradient", [seed.shape, output.shape], "differ: the seed must have the output's shape")
        }
        let recorded = nodes.withLock { Array($0.prefix(outputNode + 1)) }

        // Which nodes lead to a target: only their gradients are computed.
        let targetSet = Set(targets)
        var reaches = [Bool](repeating: false, count: recorded.count)
        for (id, node) in recorded.enumerated() {
            reaches[id] = targetSet.contains(id) || node.inputs.contains { $0.map { reaches[$0] } ?? false }
        }

        var grads: [Int: Tensor] = [outputNode: seed?.detached ?? Tensor.ones(output.shape)]
        for id in stride(from: outputNode, through: 0, by: -1) where reaches[id] {
            guard let upstream = grads[id], let backward = recorded[id].backward else { continue }
            let node = recorded[id]
            let needed = node.inputs.map { $0.map { reaches[$0] } ?? false }
            guard needed.contains(true) else { continue }
            let inputGrads = try backward(upstream, needed)
            for (input, grad) in zip(node.inputs, inputGrads) {
                guard let input, reaches[input], let grad else { continue }
                grads[input] = try grads[input].map { try $0.adding(grad) } ?? grad
            }
            if !targetSet.contains(id) { grads[id] = nil }
        }
        return zip(targets, inputs).map { id, input in grads[id] ?? Tensor.zeros(input.shape) }
    }

    private func node(of tensor: Tensor) -> Int? {
        guard let tracking = tensor.tracking, tracking.tape === self else { return nil }
        return tracking.node
    }
}

/// Where a tensor sits on a tape. The tape is held weakly so that tensors kept after their tape
/// is gone simply become untracked (and no reference cycle forms through backward closures).
package struct Tracking: @unchecked Sendable {
    package weak var tape: GradientTape?
    package let node: Int
}

extension Tensor {
    /// Attaches `result` to the tape of its tracked inputs, with the rule that maps the output's
    /// gradient to the inputs' gradients. Returns `result` unchanged when no input is tracked.
    ///
    /// `backward` must capture only detached tensors (``detached``), never tracked ones.
    package static func recording(_ result: Tensor, _ operation: String, inputs: [Tensor],
                                  backward: @escaping GradientTape.Backward) -> Tensor {
        guard let tape = inputs.lazy.compactMap({ $0.tracking?.tape }).first else { return result }
        let ids = inputs.map { input -> Int? in
            guard let tracking = input.tracking, tracking.tape === tape else { return nil }
            return tracking.node
        }
        var tracked = result.detached
        tracked.tracking = Tracking(tape: tape, node: tape.record(inputs: ids, operation: operation, backward: backward))
        return tracked
    }

    /// True when some input is tracked, so an operation must prepare its backward rule.
    package static func anyTracked(_ inputs: Tensor...) -> Bool {
        inputs.contains { $0.tracking?.tape != nil }
    }
}
