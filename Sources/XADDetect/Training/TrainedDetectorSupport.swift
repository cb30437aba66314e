import XADImage
import XADTensor

extension FitContext {
    /// Fits a trainable detector's model: prepares the training images (and the validation
    /// images, when there are any), builds the model for their channel count with a generator
    /// seeded by the run's seed, and trains it with the shared ``TrainingLoop``.
    ///
    /// ```swift
    /// let (outcome, channels) = try context.train(detector: name, plan: options.plan) { channels, generator in
    ///     try MyNetwork(channels: channels, generator: &generator)
    /// }
    /// ```
    /// - Throws: ``DetectorError/noTrainingImages``, the image decoders' errors, `makeModel`'s,
    ///   and the training loop's.
    public func train<Model: TrainableModel>(
        detector: String, plan: TrainingPlan,
        model makeModel: (_ channels: Int, _ generator: inout SeededGenerator) throws -> Model
    ) throws -> (outcome: TrainingLoop.Outcome<Model>, channels: Int) {
        let preprocessing = setup.preprocessing
        let samples = try images.preparedTensor(preprocessing, progress: progress)
        let held = try validation.flatMap { $0.count > 0 ? try $0.preparedTensor(preprocessing) : nil }
        let channels = samples.shape[1]
        var generator = SeededGenerator(seed: training.seed)
        let initial = try makeModel(channels, &generator)
        let loop = TrainingLoop(detector: detector, plan: plan, settings: training, progress: progress)
        return (try loop.run(initial, samples: samples, validation: held), channels)
    }
}

extension DetectorSetup {
    /// Throws ``DetectorError/invalidInput(_:)`` unless `batch` is `[N, channels, H, W]` at the
    /// preprocessing's output size: what a model trained on prepared images accepts.
    public func checkPreparedBatch(_ batch: Tensor, channels: Int, detector: String) throws {
        let size = preprocessing.outputSize
        guard batch.rank == 4, batch.shape[1] == channels, batch.shape[2] == size.height, batch.shape[3] == size.width else {
            throw DetectorError.invalidInput("the \(detector) was trained on [N, \(channels), \(size.height), \(size.width)] batches, got \(batch.shape)")
        }
    }

    /// The image channels a saved convolutional model was trained on: the input channels of its
    /// first convolution `weight` (`[out, in, kh, kw]`).
    /// - Throws: ``DetectorError/invalidInput(_:)`` when the tensors hold no such weight.
    public static func trainedChannels(_ tensors: [String: Tensor], firstConvolution weight: String, detector: String) throws -> Int {
        guard let first = tensors[weight], first.rank == 4 else {
            throw DetectorError.invalidInput("the saved \(detector) has no first convolution '\(weight)'")
        }
        return first.shape[1]
    }
}
