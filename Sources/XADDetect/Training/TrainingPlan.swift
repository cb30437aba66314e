import XADTensor

/// The hyper-parameters of a training run, as a detector's options give them: epochs, batches,
/// optimiser, learning-rate schedule, gradient clipping and early stopping. Seed, time budget and
/// checkpoints come from the run's ``TrainingSettings``.
///
/// ```swift
/// let plan = TrainingPlan(epochs: 20, batchSize: 16, learningRate: 1e-3, schedule: .cosine, clipNorm: 1)
/// ```
public struct TrainingPlan: Codable, Sendable, Equatable {
    /// The update rule.
    public enum OptimiserKind: String, Codable, Sendable, CaseIterable {
        /// Adam with L2 weight decay (PyTorch's `Adam`).
        case adam
        /// Adam with decoupled weight decay (PyTorch's `AdamW`).
        case adamw
    }

    /// How the learning rate changes from epoch to epoch.
    public enum Schedule: String, Codable, Sendable, CaseIterable {
        /// The base rate throughout.
        case constant
        /// Cosine annealing from the base rate to 1 % of it over the planned epochs (`CosineAnnealingLR`).
        case cosine
        /// The rate times 0.1 after each third of the planned epochs (`StepLR`).
        case step
    }

    /// Passes over the training images.
    public var epochs: Int
    /// Images per optimiser step (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// The base learning rate.
    public var learningRate: Float
    /// The optimiser.
    public var optimiser: OptimiserKind
    /// Weight decay (L2 for Adam, decoupled for AdamW).
    public var weightDecay: Float
    /// The learning-rate schedule, stepped once per epoch.
    public var schedule: Schedule
    /// The largest global gradient norm; larger gradients are scaled down. nil: no clipping.
    public var clipNorm: Float?
    /// Stop after this many epochs without a lower validation loss; nil: never stop early.
    /// Needs validation images.
    public var patience: Int?
    /// Random changes to the training images of each step (not to validation images).
    /// nil: none.
    public var augmentation: Augmentation?

    public init(epochs: Int, batchSize: Int, learningRate: Float, optimiser: OptimiserKind = .adam,
                weightDecay: Float = 0, schedule: Schedule = .constant, clipNorm: Float? = nil, patience: Int? = nil,
                augmentation: Augmentation? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimiser = optimiser
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.clipNorm = clipNorm
        self.patience = patience
        self.augmentation = augmentation
    }

    /// The help lines of a trainable detector's options that make up its plan (`epochs`,
    /// `batchSize`, `learningRate`, `optimiser`, `weightDecay`, `schedule`, `clipNorm`, `patience`),
    /// for its ``MethodOptions/help``.
    public static let optionHelp = [
        OptionHelp("epochs", "passes over the training images (the default suits tiny sets; use 100+ on real data)"),
        OptionHelp("batchSize", "images per optimiser step"),
        OptionHelp("learningRate", "base learning rate"),
        OptionHelp("optimiser", "adam or adamw"),
        OptionHelp("weightDecay", "weight decay (L2 for adam, decoupled for adamw)"),
        OptionHelp("schedule", "learning-rate schedule: constant, cosine or step"),
        OptionHelp("clipNorm", "largest global gradient norm (none: no clipping)"),
        OptionHelp("patience", "epochs without a lower validation loss before stopping, restoring the best epoch's weights (none: never)"),
    ]

    /// Throws ``OptionError/invalidValue(method:message:)`` for values no run can use.
    public func validate(method: String) throws {
        func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
        guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw fail("batchSize must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("learningRate must be positive, got \(learningRate)") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw fail("weightDecay must be 0 or more, got \(weightDecay)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) { throw fail("clipNorm must be positive, got \(clipNorm)") }
        if let patience, patience < 1 { throw fail("patience must be at least 1, got \(patience)") }
        try augmentation?.validate(method: method)
    }

    /// The learning rate of `epoch` (0 for the first).
    public func learningRate(epoch: Int) -> Float {
        switch schedule {
        case .constant: learningRate
        case .cosine: CosineAnnealing(total: epochs, minimum: learningRate / 100).learningRate(base: learningRate, step: epoch)
        case .step: StepLR(stepSize: Swift.max(1, (epochs + 2) / 3), gamma: 0.1).learningRate(base: learningRate, step: epoch)
        }
    }

    /// A fresh optimiser of the planned kind.
    func makeOptimiser() -> any CheckpointableOptimiser {
        switch optimiser {
        case .adam: Adam(learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: AdamW(learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
