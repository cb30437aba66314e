import Testing
import XADTensor

@Suite("End-to-end training")
struct TrainingTests {
    /// `count` 8x8 noise images (uniform in [0, 0.3)); every other one has a bright 3x3 square
    /// at a random place. Labels are 1 for a square.
    static func squares(count: Int, generator: inout SeededGenerator) throws -> (images: Tensor, labels: Tensor) {
        var pixels = Tensor.uniform([count, 1, 8, 8], in: 0..<0.3, generator: &generator).scalars
        var labels = [Float](repeating: 0, count: count)
        for n in stride(from: 0, to: count, by: 2) {
            labels[n] = 1
            let top = Int(generator.next() % 6), left = Int(generator.next() % 6)
            for y in top..<(top + 3) { for x in left..<(left + 3) { pixels[n * 64 + y * 8 + x] = 1 } }
        }
        return (try Tensor(shape: [count, 1, 8, 8], scalars: pixels), try Tensor(shape: [count, 1], scalars: labels))
    }

    @Test func smallCNNLearnsToDetectABrightSquareWithAdam() throws {
        var generator = SeededGenerator(seed: 2024)
        let train = try Self.squares(count: 64, generator: &generator)
        let test = try Self.squares(count: 64, generator: &generator)
        // Two convolutions with batch norm and ReLU, global average pooling, a linear head: one logit.
        var model = FeaturesThenHead(
            features: Sequential(
                try Conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
                BatchNorm2D(channels: 4), Activation.relu,
                try Conv2D(inputChannels: 4, outputChannels: 8, kernelSize: 3, stride: 2, padding: 1, generator: &generator),
                Activation.relu),
            head: try Linear(inputSize: 8, outputSize: 1, generator: &generator))
        var adam = Adam(learningRate: 0.02)
        let schedule = CosineAnnealing(total: 300, minimum: 0.002)

        var losses: [Float] = []
        for step in 0..<300 {
            adam.learningRate = schedule.learningRate(base: 0.02, step: step)
            let tape = GradientTape()
            model.watchParameters(on: tape)
            let loss = try Loss.binaryCrossEntropyWithLogits(model(training: train.images), train.labels)
            try adam.update(&model, along: tape.gradients(of: loss, for: model))
            losses.append(try #require(loss.scalar))
        }
        #expect(losses[0] > 0.5)          // starts near log 2 = 0.69
        #expect(losses[299] < 0.05)       // binary cross-entropy on the training set

        // Evaluation mode (running batch-norm statistics) on images never seen in training.
        let logits = try model(test.images).scalars
        let correct = zip(logits, test.labels.scalars).filter { ($0 > 0) == ($1 > 0.5) }.count
        #expect(correct >= 61, "\(correct) of 64 held-out images classified correctly")
    }
}
