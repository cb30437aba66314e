import Testing
import XADTensor
import XADTestSupport

@Suite("Batch norm against PyTorch F.batch_norm")
struct BatchNormTests {
    // tolerance: 1e-5 relative, 1e-5 absolute (float32; PyTorch accumulates the statistics in a
    // different order, and gradients are sums of ~90 products).
    static let relative: Float = 1e-5, absolute: Float = 1e-5

    @Test func inferenceOutputAndGradientsMatchPyTorch() throws {
        let f = try Fixture("nn/batchnorm_inference.json")
        let tape = GradientTape()
        let x = tape.watch(try f.tensor("input"))
        let scale = tape.watch(try f.tensor("scale")), shift = tape.watch(try f.tensor("shift"))
        let y = try x.batchNorm(mean: f.tensor("mean"), variance: f.tensor("variance"),
                                scale: scale, shift: shift, epsilon: try #require(f["epsilon"]?.float))
        #expect(toleranceRatio(y, try f.tensor("output"), absolute: Self.absolute, relative: Self.relative) <= 1)
        let grads = try tape.gradients(of: y, withRespectTo: [x, scale, shift], seed: f.tensor("upstream"))
        for (grad, name) in zip(grads, ["grad_input", "grad_scale", "grad_shift"]) {
            #expect(toleranceRatio(grad, try f.tensor(name), absolute: Self.absolute, relative: Self.relative) <= 1, "\(name)")
        }
    }

    @Test func trainingOutputStatisticsAndGradientsMatchPyTorch() throws {
        let f = try Fixture("nn/batchnorm_training.json")
        let tape = GradientTape()
        let x = tape.watch(try f.tensor("input"))
        let scale = tape.watch(try f.tensor("scale")), shift = tape.watch(try f.tensor("shift"))
        let (y, mean, variance) = try x.batchNormTraining(scale: scale, shift: shift,
                                                          epsilon: try #require(f["epsilon"]?.float))
        #expect(toleranceRatio(y, try f.tensor("output"), absolute: Self.absolute, relative: Self.relative) <= 1)
        #expect(toleranceRatio(mean, try f.tensor("batch_mean"), absolute: Self.absolute, relative: Self.relative) <= 1)
        #expect(toleranceRatio(variance, try f.tensor("batch_variance_unbiased"),
                               absolute: Self.absolute, relative: Self.relative) <= 1)
        #expect(!mean.isTracked && !variance.isTracked)
        let grads = try tape.gradients(of: y, withRespectTo: [x, scale, shift], seed: f.tensor("upstream"))
        for (grad, name) in zip(grads, ["grad_input", "grad_scale", "grad_shift"]) {
            #expect(toleranceRatio(grad, try f.tensor(name), absolute: Self.absolute, relative: Self.relative) <= 1, "\(name)")
        }
    }

    @Test func trainingInputGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 7)
        let input = Tensor.normal([2, 3, 2, 2], generator: &generator)
        let upstream = Tensor.normal([2, 3, 2, 2], generator: &generator)
        let scale = try Tensor(shape: [3], scalars: [0.5, -1.5, 2])
        let f = { (x: Tensor) in try x.batchNormTraining(scale: scale, shift: nil, epsilon: 1e-3).output * upstream }
        let tape = GradientTape()
        let x = tape.watch(input)
        let analytic = try tape.gradient(of: f(x), withRespectTo: x)
        let numeric = try numericalGradient(of: f, at: input, epsilon: 1e-2)
        // tolerance: 2e-2 relative, 5e-3 absolute (central differences in float32, step 1e-2)
        #expect(toleranceRatio(analytic, numeric, absolute: 5e-3, relative: 2e-2) <= 1)
    }

    @Test func missingScaleAndShiftMeanOneAndZero() throws {
        let x = try Tensor(shape: [1, 2, 1, 2], scalars: [1, 3, 10, 14])
        let y = try x.batchNorm(mean: Tensor(shape: [2], scalars: [2, 12]),
                                variance: Tensor(shape: [2], scalars: [4, 16]), scale: nil, shift: nil, epsilon: 0)
        #expect(y.scalars == [-0.5, 0.5, -0.5, 0.5] as [Float])
    }

    @Test func badShapesThrowNamingTheArgument() throws {
        let x = Tensor.zeros([2, 3, 4, 4])
        do {
            _ = try x.batchNorm(mean: .zeros([4]), variance: .ones([3]), scale: nil, shift: nil, epsilon: 1e-5)
            Issue.record("expected an error")
        } catch let error as TensorError {
            #expect(error.description == "batchNorm: mean has shape [4], expected [3] (one per channel)")
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([3]).batchNormTraining(scale: nil, shift: nil, epsilon: 1e-5) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 3, 1, 1]).batchNormTraining(scale: nil, shift: nil, epsilon: 1e-5) }
    }
}
