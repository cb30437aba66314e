/// An optimiser's per-parameter state (moment estimates, step counts) by name: what a training
/// checkpoint saves so that a resumed run takes exactly the steps an uninterrupted one would.
///
/// Tensors are keyed `"<parameter>/<slot>"` (Adam's slots are PyTorch's `exp_avg` and
/// `exp_avg_sq`); step counts are keyed by parameter name.
///
/// ```swift
/// let saved = adam.state                 // after some steps
/// var resumed = Adam(learningRate: 1e-3)
/// try resumed.restore(saved)            // continues with the same moments and step counts
/// ```
public struct OptimiserState: Sendable, Equatable {
    /// State tensors, keyed `"<parameter>/<slot>"`.
    public var tensors: [String: Tensor]
    /// Steps taken per parameter.
    public var steps: [String: Int]

    public init(tensors: [String: Tensor] = [:], steps: [String: Int] = [:]) {
        self.tensors = tensors
        self.steps = steps
    }

    public static func == (a: OptimiserState, b: OptimiserState) -> Bool {
        a.steps == b.steps && a.tensors.keys.sorted() == b.tensors.keys.sorted()
            && a.tensors.allSatisfy { name, tensor in
                b.tensors[name].map { $0.shape == tensor.shape && $0.scalars == tensor.scalars } ?? false
            }
    }
}

/// An ``Optimiser`` whose state can be saved and restored.
public protocol CheckpointableOptimiser: Optimiser {
    /// The per-parameter state, for a checkpoint.
    var state: OptimiserState { get }
    /// Replaces the per-parameter state with a saved one.
    /// - Throws: ``TensorError`` when a parameter's slots or step count are incomplete.
    mutating func restore(_ state: OptimiserState) throws
}

extension Adam: CheckpointableOptimiser {
    static let meanSlot = "exp_avg", meanSquareSlot = "exp_avg_sq"

    public var state: OptimiserState {
        var state = OptimiserState()
        for (name, entry) in moments.entries {
            state.tensors["\(name)/\(Self.meanSlot)"] = entry.mean
            state.tensors["\(name)/\(Self.meanSquareSlot)"] = entry.meanSquare
            state.steps[name] = entry.steps
        }
        return state
    }

    public mutating func restore(_ state: OptimiserState) throws {
        var entries: [String: AdamMoments.Entry] = [:]
        for (name, steps) in state.steps {
            guard let mean = state.tensors["\(name)/\(Self.meanSlot)"],
                  let meanSquare = state.tensors["\(name)/\(Self.meanSquareSlot)"], mean.shape == meanSquare.shape else {
                throw TensorError(.invalidArgument, "Adam.restore",
                                  "the state of \(name) lacks \(Self.meanSlot) or \(Self.meanSquareSlot), or their shapes differ")
            }
            entries[name] = AdamMoments.Entry(mean: mean.detached, meanSquare: meanSquare.detached, steps: steps)
        }
        guard entries.count * 2 == state.tensors.count else {
            throw TensorError(.invalidArgument, "Adam.restore", "the state has tensors without a step count")
        }
        moments.entries = entries
    }
}

extension AdamW: CheckpointableOptimiser {
    public var state: OptimiserState { adam.state }
    public mutating func restore(_ state: OptimiserState) throws { try adam.restore(state) }
}
