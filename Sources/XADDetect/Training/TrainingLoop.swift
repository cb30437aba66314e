import Foundation
import XADTensor

/// Trains any ``TrainableModel`` on prepared images, as PyTorch Lightning's `Trainer.fit` would:
/// seeded shuffling into batches and augmentation, epochs, Adam or AdamW with a per-epoch
/// learning-rate schedule, gradient clipping by global norm, a validation loss with early stopping
/// (restoring the best epoch's weights), a time budget, progress, and a checkpoint after every
/// epoch from which `resume` continues exactly.
///
/// Exactness: the only randomness is the per-epoch generator (``generator(seed:epoch:)``), and a
/// checkpoint holds the weights, the optimiser's moments and the epoch, so 2 epochs, a resume and
/// 2 more give the 4-epoch model bit for bit (with a fixed thread count, since threads may change
/// the order of sums).
///
/// ```swift
/// let loop = TrainingLoop(detector: "autoencoder", plan: plan, settings: context.training, progress: context.progress)
/// let outcome = try loop.run(model, samples: images, validation: held)   // [N, C, H, W] each
/// // outcome.model, outcome.record (epochs, losses, seconds, seed)
/// ```
public struct TrainingLoop: Sendable {
    /// The registry name of the detector being trained, written into checkpoints and checked on resume.
    public var detector: String
    public var plan: TrainingPlan
    public var settings: TrainingSettings
    public var progress: FitProgress?

    public init(detector: String, plan: TrainingPlan, settings: TrainingSettings, progress: FitProgress? = nil) {
        self.detector = detector
        self.plan = plan
        self.settings = settings
        self.progress = progress
    }

    /// Why training ended.
    public enum Stop: String, Sendable, Equatable {
        /// Every planned epoch ran.
        case completed
        /// The validation loss stopped falling for ``TrainingPlan/patience`` epochs.
        case earlyStopping
        /// Another epoch would have overrun ``TrainingSettings/maxMinutes``.
        case timeBudget
    }

    /// The trained model, what training did, and why it ended.
    public struct Outcome<Model: TrainableModel>: Sendable {
        public var model: Model
        public var record: TrainingRecord
        public var stop: Stop
        /// The epoch (1-based) whose weights `model` holds when early stopping is on
        /// (``TrainingPlan/patience``): the one of the lowest validation loss. nil otherwise.
        public var bestEpoch: Int?
    }

    /// The state carried from epoch to epoch (and through checkpoints).
    private struct Progress {
        var epoch = 0
        var losses: [Double] = []
        var validationLosses: [Double] = []
        var seconds: Double = 0
        var bestValidationLoss: Double?
        var epochsWithoutImprovement = 0
        /// The weights after the epoch of the lowest validation loss (kept when early stopping is on).
        var bestEpoch: Int?
        var bestModel: [String: Tensor] = [:]
    }

    /// The generator of one epoch: its shuffling and any randomness inside its steps.
    public static func generator(seed: UInt64, epoch: Int) -> SeededGenerator {
        SeededGenerator(seed: seed ^ (UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Trains `model` on `samples` (`[N, C, H, W]`, prepared), with the validation loss on
    /// `validation` when given; resumes from the checkpoint folder when ``TrainingSettings/resume``.
    /// - Throws: ``DetectorError/numericalFailure(_:)`` naming the epoch and step where the loss
    ///   or the gradients stopped being finite (the last checkpoint stays as it was);
    ///   ``DetectorError/missingRequirement(_:)`` for `resume` without a checkpoint (folder);
    ///   ``DetectorError/modelFile(path:problem:)`` for a checkpoint of another detector or shape;
    ///   ``OptionError`` for a plan no run can use.
    public func run<Model: TrainableModel>(_ initial: Model, samples: Tensor, validation: Tensor? = nil) throws -> Outcome<Model> {
        try plan.validate(method: detector)
        guard samples.rank >= 1, samples.shape[0] > 0 else { throw DetectorError.noTrainingImages }
        if plan.patience != nil, validation == nil {
            throw DetectorError.missingRequirement("\(detector): early stopping (patience) needs validation images")
        }
        var model = initial
        var optimiser = plan.makeOptimiser()
        var state = Progress()
        var seed = settings.seed
        if settings.resume {
            guard let folder = settings.checkpointFolder else {
                throw DetectorError.missingRequirement("cannot resume: no checkpoint folder was given")
            }
            let checkpoint = try TrainingCheckpoint.read(from: folder)
            model = try checkpoint.restoring(into: model, detector: detector, folder: folder)
            do { try optimiser.restore(checkpoint.optimiserState) } catch {
                throw DetectorError.modelFile(path: TrainingCheckpoint.url(in: folder).path, problem: "\(error)")
            }
            let r = checkpoint.record
            seed = r.seed   // the run's randomness continues as it began, whatever seed this call names
            state = Progress(epoch: r.epoch, losses: r.losses, validationLosses: r.validationLosses, seconds: r.seconds,
                             bestValidationLoss: r.bestValidationLoss, epochsWithoutImprovement: r.epochsWithoutImprovement,
                             bestEpoch: r.bestEpoch, bestModel: checkpoint.bestModel)
        }

        let started = ContinuousClock.now
        var stop = Stop.completed
        while state.epoch < plan.epochs {
            let epochStarted = ContinuousClock.now
            optimiser.learningRate = plan.learningRate(epoch: state.epoch)
            let loss = try trainEpoch(&model, optimiser: &optimiser, samples: samples, epoch: state.epoch, seed: seed)
            state.losses.append(loss)
            if let validation {
                let validationLoss = try Self.meanLoss(of: model, on: validation, batchSize: plan.batchSize)
                state.validationLosses.append(validationLoss)
                if validationLoss < (state.bestValidationLoss ?? .infinity) {
                    state.bestValidationLoss = validationLoss
                    state.epochsWithoutImprovement = 0
                    if plan.patience != nil { (state.bestEpoch, state.bestModel) = (state.epoch + 1, model.state) }
                } else {
                    state.epochsWithoutImprovement += 1
                }
            }
            state.epoch += 1
            let epochSeconds = epochStarted.secondsElapsed
            state.seconds += epochSeconds
            try saveCheckpoint(model: model, optimiser: optimiser, state: state, seed: seed)
            report(state, epochSeconds: epochSeconds)

            if let patience = plan.patience, state.epochsWithoutImprovement >= patience, state.epoch < plan.epochs {
                stop = .earlyStopping
                break
            }
            if let minutes = settings.maxMinutes, state.epoch < plan.epochs,
               started.secondsElapsed + epochSeconds > minutes * 60 {
                stop = .timeBudget
                break
            }
        }
        if let bestEpoch = state.bestEpoch {
            do { try model.load(state.bestModel) } catch {
                throw DetectorError.invalidInput(
                    "\(detector): the best epoch's weights (epoch \(bestEpoch), kept in the checkpoint) do not fit the model: \(error)")
            }
        }
        let record = TrainingRecord(epochs: state.epoch, losses: state.losses, validationLosses: state.validationLosses,
                                    seconds: state.seconds, seed: seed)
        return Outcome(model: model, record: record, stop: stop, bestEpoch: state.bestEpoch)
    }

    /// One pass over `samples` in this epoch's shuffled order; returns the mean loss per image.
    private func trainEpoch<Model: TrainableModel>(_ model: inout Model, optimiser: inout any CheckpointableOptimiser,
                                                   samples: Tensor, epoch: Int, seed: UInt64) throws -> Double {
        var generator = Self.generator(seed: seed, epoch: epoch)
        let count = samples.shape[0]
        let order = Self.shuffled(count, using: &generator)
        let steps = (count + plan.batchSize - 1) / plan.batchSize
        var total: Double = 0
        for step in 0..<steps {
            let indices = Array(order[(step * plan.batchSize)..<Swift.min(count, (step + 1) * plan.batchSize)])
            let rows = try samples.rows(at: indices)
            let batch = plan.augmentation.map { $0.apply(to: rows, generator: &generator) } ?? rows
            let place = "epoch \(epoch + 1), step \(step + 1)"
            let tape = GradientTape()
            var watched = model
            watched.watchParameters(on: tape)
            let loss: Tensor
            do { loss = try watched.trainingLoss(batch, generator: &generator) } catch let error as TensorError where error.kind == .nonFinite {
                throw numericalFailure(place, "the loss is not finite (\(error))")
            }
            guard let value = loss.scalar, value.isFinite else {
                throw numericalFailure(place, "the loss is \(loss.scalar.map { "\($0)" } ?? "not a single number")")
            }
            var gradients = try tape.gradients(of: loss, for: watched)
            let norm: Float
            if let clipNorm = plan.clipNorm {
                (gradients, norm) = GradientClipping.clipGlobalNorm(gradients, maxNorm: clipNorm)
            } else {
                norm = GradientClipping.globalNorm(gradients)
            }
            guard norm.isFinite else { throw numericalFailure(place, "the gradients are not finite (global norm \(norm))") }
            try optimiser.update(&watched, along: gradients)
            model = watched
            total += Double(value) * Double(indices.count)
            progress?("epoch \(epoch + 1)/\(plan.epochs) loss \(Self.format(Double(value)))", step + 1, steps)
        }
        return total / Double(count)
    }

    private func numericalFailure(_ place: String, _ problem: String) -> DetectorError {
        let kept = settings.checkpointFolder.map { " the last good checkpoint in \($0) is kept;" } ?? ""
        return DetectorError.numericalFailure(
            "\(detector) training diverged at \(place): \(problem);\(kept) try a lower learningRate or a clipNorm")
    }

    /// The mean loss per image of `model` over `images` in evaluation mode.
    static func meanLoss<Model: TrainableModel>(of model: Model, on images: Tensor, batchSize: Int) throws -> Double {
        let count = images.shape[0]
        var total: Double = 0
        for start in stride(from: 0, to: count, by: batchSize) {
            let end = Swift.min(count, start + batchSize)
            let loss = try model.evaluationLoss(try images.sliced(axis: 0, range: start..<end))
            total += Double(loss.scalar ?? .nan) * Double(end - start)
        }
        return total / Double(Swift.max(count, 1))
    }

    private func saveCheckpoint<Model: TrainableModel>(model: Model, optimiser: any CheckpointableOptimiser, state: Progress,
                                                      seed: UInt64) throws {
        guard let folder = settings.checkpointFolder else { return }
        let optimiserState = optimiser.state
        let record = TrainingCheckpoint.Record(
            format: TrainingCheckpoint.formatVersion, detector: detector, epoch: state.epoch, seed: seed,
            losses: state.losses, validationLosses: state.validationLosses, seconds: state.seconds,
            bestValidationLoss: state.bestValidationLoss, epochsWithoutImprovement: state.epochsWithoutImprovement,
            optimiserSteps: optimiserState.steps, plan: plan, bestEpoch: state.bestEpoch)
        try TrainingCheckpoint(record: record, model: model.state, optimiserTensors: optimiserState.tensors,
                               bestModel: state.bestModel).write(to: folder)
    }

    private func report(_ state: Progress, epochSeconds: Double) {
        guard let progress else { return }
        var line = "epoch \(state.epoch)/\(plan.epochs) loss \(Self.format(state.losses.last ?? .nan))"
        if let validation = state.validationLosses.last { line += " validation \(Self.format(validation))" }
        let remaining = Double(plan.epochs - state.epoch) * epochSeconds
        line += " (\(Self.format(epochSeconds)) s/epoch, about \(Int(remaining.rounded())) s left)"
        progress(line, state.epoch, plan.epochs)
    }

    private static func format(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        let digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 3 : 5
        let scale = pow(10, Double(digits))
        return "\((value * scale).rounded() / scale)"
    }

    /// `0..<count` in a random order (Fisher-Yates with the given generator, so the order depends
    /// only on the generator's state, not on the standard library's shuffle).
    static func shuffled(_ count: Int, using generator: inout SeededGenerator) -> [Int] {
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}
