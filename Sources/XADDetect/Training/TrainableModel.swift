import XADTensor

/// A model the ``TrainingLoop`` can train: named tensors (`Module`) and a loss per batch.
///
/// The loop watches the parameters on a tape, asks for ``trainingLoss(_:generator:)`` and steps
/// the optimiser along its gradients; ``evaluationLoss(_:)`` gives the validation loss. Anything
/// random inside a step (augmentation, a VAE's sampling noise) draws from `generator`, which the
/// loop seeds per epoch, so a resumed run draws the same numbers as an uninterrupted one.
///
/// ```swift
/// struct Reconstruction: TrainableModel {
///     var network: Sequential
///     mutating func visit(_ visitor: inout ModuleVisitor) { visitor.child("network", &network) }
///     mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
///         try Loss.meanSquaredError(network(training: batch), batch)
///     }
///     func evaluationLoss(_ batch: Tensor) throws -> Tensor { try Loss.meanSquaredError(network(batch), batch) }
/// }
/// ```
public protocol TrainableModel: Module {
    /// The loss of one training batch (`[B, C, H, W]`), a rank-0 tensor recorded on the tape
    /// that watches the parameters. Mutating, so that layers with running statistics update them.
    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor

    /// The loss of one batch in evaluation mode, for validation; changes nothing.
    func evaluationLoss(_ batch: Tensor) throws -> Tensor
}
