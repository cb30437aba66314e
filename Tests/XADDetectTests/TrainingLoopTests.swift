import Foundation
import Testing
import XADDetect
import XADTensor

/// A tiny convolutional autoencoder on 8x8 one-channel images, with switches that make it crash,
/// diverge or report a constant validation loss at chosen moments.
private struct TinyAutoEncoder: TrainableModel {
    var encoder: Conv2D
    var decoder: ConvTranspose2D
    /// The training-loss call (1-based) at which to throw ``Interrupted`` (a killed run).
    var interruptAtCall: Int?
    /// The training-loss call at which the loss becomes NaN (a diverged run).
    var divergeAtCall: Int?
    var constantValidation = false
    var calls = 0

    struct Interrupted: Error {}

    init(channels: Int = 4, seed: UInt64 = 5) throws {
        var generator = SeededGenerator(seed: seed)
        encoder = try Conv2D(inputChannels: 1, outputChannels: channels, kernelSize: 3, stride: 2, padding: 1, generator: &generator)
        decoder = try ConvTranspose2D(inputChannels: channels, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, generator: &generator)
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("encoder", &encoder)
        visitor.child("decoder", &decoder)
    }

    func reconstruct(_ x: Tensor) throws -> Tensor { try decoder(encoder(x).relu()) }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        calls += 1
        if calls == interruptAtCall { throw Interrupted() }
        // A little noise from the loop's generator, so that resuming must restore its state too.
        let noisy = try batch + Tensor.normal(batch.shape, std: 0.01, generator: &generator)
        let output = calls == divergeAtCall ? try reconstruct(noisy) * Float.nan : try reconstruct(noisy)
        return try Loss.meanSquaredError(output, batch)
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        constantValidation ? Tensor(1) : try Loss.meanSquaredError(reconstruct(batch), batch)
    }
}

@Suite("Training loop", .serialized)
struct TrainingLoopTests {
    static let images: Tensor = {
        var generator = SeededGenerator(seed: 11)
        return Tensor.uniform([20, 1, 8, 8], generator: &generator)
    }()

    /// Augmented, so that the resume test covers the augmentation's random draws too.
    static let plan = TrainingPlan(epochs: 4, batchSize: 6, learningRate: 0.01, optimiser: .adamw, weightDecay: 0.01,
                                   schedule: .cosine, clipNorm: 0.05,
                                   augmentation: Augmentation(horizontalFlip: true, cropPadding: 1, jitter: 0.05))

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("xad-train-\(UUID().uuidString)").path
    }

    /// Runs `body` with one kernel thread, so that sums are taken in one order.
    static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Threads.count
        Threads.count = 1
        defer { Threads.count = previous }
        return try body()
    }

    static func loop(_ folder: String?, resume: Bool = false, plan: TrainingPlan = plan, detector: String = "tiny",
                     maxMinutes: Double? = nil, seed: UInt64 = 3) -> TrainingLoop {
        TrainingLoop(detector: detector, plan: plan,
                     settings: TrainingSettings(seed: seed, maxMinutes: maxMinutes, checkpointFolder: folder, resume: resume))
    }

    @Test func twoEpochsThenResumeEqualFourEpochsBitForBit() throws {
        try Self.singleThreaded {
            let straight = try Self.loop(nil).run(try TinyAutoEncoder(), samples: Self.images, validation: Self.images)
            #expect(straight.record.epochs == 4 && straight.stop == .completed)
            #expect(straight.record.losses[3] < straight.record.losses[0])

            // A run killed at the first step of epoch 3 (4 steps per epoch), then resumed.
            let folder = Self.folder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var crashing = try TinyAutoEncoder()
            crashing.interruptAtCall = 9
            #expect(throws: TinyAutoEncoder.Interrupted.self) {
                try Self.loop(folder).run(crashing, samples: Self.images, validation: Self.images)
            }
            // Resuming continues the checkpoint's seed, whatever the call names.
            let resumed = try Self.loop(folder, resume: true, seed: 77).run(try TinyAutoEncoder(seed: 99), samples: Self.images,
                                                                  validation: Self.images)
            #expect(resumed.record.epochs == 4 && resumed.record.seed == 3)
            #expect(resumed.record.losses == straight.record.losses)
            #expect(resumed.record.validationLosses == straight.record.validationLosses)
            let a = straight.model.state, b = resumed.model.state
            #expect(a.keys.sorted() == b.keys.sorted())
            for (name, tensor) in a {
                #expect(tensor.scalars.map(\.bitPattern) == b[name]?.scalars.map(\.bitPattern), "\(name) differs")
            }
        }
    }

    @Test func aNaNLossNamesEpochAndStepAndKeepsTheLastGoodCheckpoint() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var model = try TinyAutoEncoder()
        model.divergeAtCall = 7   // epoch 2, step 3
        do {
            _ = try Self.loop(folder).run(model, samples: Self.images)
            Issue.record("a NaN loss did not stop training")
        } catch let error as DetectorError {
            guard case .numericalFailure(let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(message.contains("epoch 2, step 3"), "\(message)")
            #expect(message.contains(folder))
        }
        let checkpoint = try TrainingCheckpoint.read(from: folder)
        #expect(checkpoint.record.epoch == 1 && checkpoint.record.losses.count == 1)
        #expect(checkpoint.model.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }

    @Test func refusesACheckpointOfAnotherDetectorOrShapeAndAResumeWithoutOne() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let short = TrainingPlan(epochs: 1, batchSize: 10, learningRate: 0.01)
        _ = try Self.loop(folder, plan: short).run(try TinyAutoEncoder(), samples: Self.images)

        #expect { try Self.loop(folder, resume: true, plan: short, detector: "vae").run(try TinyAutoEncoder(), samples: Self.images) }
            throws: { error in
                guard case .modelFile(_, let problem)? = error as? DetectorError else { return false }
                return problem.contains("'tiny'") && problem.contains("'vae'")
            }
        #expect { try Self.loop(folder, resume: true, plan: short).run(try TinyAutoEncoder(channels: 8), samples: Self.images) }
            throws: { error in
                guard case .modelFile(_, let problem)? = error as? DetectorError else { return false }
                return problem.contains("another shape") && problem.contains("encoder.weight")
            }
        #expect { try Self.loop(Self.folder(), resume: true).run(try TinyAutoEncoder(), samples: Self.images) }
            throws: { error in
                guard case .missingRequirement(let message)? = error as? DetectorError else { return false }
                return message.contains("no training checkpoint")
            }
    }

    @Test func stopsEarlyWhenTheValidationLossStopsFallingAndAtTheTimeBudget() throws {
        var flat = try TinyAutoEncoder()
        flat.constantValidation = true
        var patient = Self.plan
        patient.epochs = 10
        patient.patience = 2
        let early = try Self.loop(nil, plan: patient).run(flat, samples: Self.images, validation: Self.images)
        #expect(early.stop == .earlyStopping && early.record.epochs == 3)   // best at epoch 1, then 2 without improvement
        #expect(early.record.validationLosses == [1, 1, 1])

        let timed = try Self.loop(nil, maxMinutes: 0).run(try TinyAutoEncoder(), samples: Self.images)
        #expect(timed.stop == .timeBudget && timed.record.epochs == 1)
    }

    @Test func earlyStoppingRestoresTheBestEpochsWeights() throws {
        try Self.singleThreaded {
            var patient = Self.plan
            patient.epochs = 10
            patient.patience = 2
            // The validation loss is flat, so epoch 1 stays the best; the weights after epoch 1
            // are those of a checkpoint written by the same run stopped at epoch 2's first step.
            var flat = try TinyAutoEncoder()
            flat.constantValidation = true
            let folder = Self.folder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var stopped = flat
            stopped.interruptAtCall = 5   // 4 steps per epoch
            #expect(throws: TinyAutoEncoder.Interrupted.self) {
                try Self.loop(folder, plan: patient).run(stopped, samples: Self.images, validation: Self.images)
            }
            let afterEpochOne = try TrainingCheckpoint.read(from: folder)
            #expect(afterEpochOne.record.bestEpoch == 1 && afterEpochOne.bestModel.keys.sorted() == afterEpochOne.model.keys.sorted())

            let early = try Self.loop(nil, plan: patient).run(flat, samples: Self.images, validation: Self.images)
            #expect(early.stop == .earlyStopping && early.record.epochs == 3 && early.bestEpoch == 1)
            for (name, tensor) in early.model.state {
                #expect(tensor.scalars.map(\.bitPattern) == afterEpochOne.model[name]?.scalars.map(\.bitPattern), "\(name) differs")
            }
        }
    }

    @Test func augmentationFlipsShiftsAndJittersEachImageReproducibly() throws {
        let image = try Tensor(shape: [1, 1, 3, 4], scalars: (0..<12).map { Float($0) })
        let batch = try Tensor.concatenate(Array(repeating: image, count: 32), axis: 0)
        let rows = image.scalars
        let mirrored: [Float] = (0..<12).map { (i: Int) -> Float in rows[(i / 4) * 4 + 3 - i % 4] }

        var generator = SeededGenerator(seed: 1)
        let flipped = Augmentation(horizontalFlip: true).apply(to: batch, generator: &generator)
        let images: [[Float]] = (0..<32).map { (n: Int) -> [Float] in Array(flipped.scalars[(n * 12)..<(n * 12 + 12)]) }
        #expect(images.allSatisfy { $0 == rows || $0 == mirrored })
        #expect(images.contains(rows) && images.contains(mirrored))

        // Shifts by up to 1 pixel, reflecting without repeating the edge: every output is one of
        // the 9 shifted images, and more than one of them occurs.
        func shifted(_ dy: Int, _ dx: Int) -> [Float] {
            func fold(_ i: Int, _ n: Int) -> Int { i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i }
            return (0..<12).map { (i: Int) -> Float in rows[fold(i / 4 + dy, 3) * 4 + fold(i % 4 + dx, 4)] }
        }
        let candidates: [[Float]] = (-1...1).flatMap { (dy: Int) -> [[Float]] in (-1...1).map { (dx: Int) -> [Float] in shifted(dy, dx) } }
        let cropped = Augmentation(cropPadding: 1).apply(to: batch, generator: &generator)
        let crops: [[Float]] = (0..<32).map { (n: Int) -> [Float] in Array(cropped.scalars[(n * 12)..<(n * 12 + 12)]) }
        #expect(crops.allSatisfy { candidates.contains($0) } && Set(crops.map { "\($0)" }).count > 3)

        // Jitter: mean moves by at most j, spread scales by 1 ± j.
        let jittered = Augmentation(jitter: 0.1).apply(to: batch, generator: &generator)
        for n in 0..<32 {
            let values = Array(jittered.scalars[(n * 12)..<(n * 12 + 12)])
            let mean: Float = values.reduce(0, +) / 12
            let scale: Float = (values[11] - values[0]) / 11
            #expect(abs(mean - 5.5) <= 0.1 + 1e-4 && abs(scale - 1) <= 0.1 + 1e-4)
        }

        var again = SeededGenerator(seed: 1)
        #expect(Augmentation(horizontalFlip: true).apply(to: batch, generator: &again).scalars == flipped.scalars)
        #expect(Augmentation.none.apply(to: batch, generator: &again).scalars == batch.scalars)
        #expect(throws: OptionError.self) { try Augmentation(cropPadding: -1).validate(method: "tiny") }
    }

    @Test func theScheduleFollowsPyTorchsSchedulers() {
        var plan = Self.plan
        #expect(plan.learningRate(epoch: 0) == 0.01)
        #expect(abs(plan.learningRate(epoch: 2) - (0.0001 + 0.0099 * 0.5)) < 1e-7)   // cosine half-way
        plan.schedule = .step
        plan.epochs = 9
        #expect(plan.learningRate(epoch: 2) == 0.01 && abs(plan.learningRate(epoch: 3) - 0.001) < 1e-9)
    }
}
