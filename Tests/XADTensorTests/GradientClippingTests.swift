import Testing
import XADTensor

@Suite("Gradient clipping and optimiser state")
struct GradientClippingTests {
    @Test func clipsByTheGlobalNormLikePyTorch() throws {
        let gradients = ["a": try Tensor(shape: [1], scalars: [3]), "b": try Tensor(shape: [1], scalars: [4])]
        let (clipped, norm) = GradientClipping.clipGlobalNorm(gradients, maxNorm: 1)
        #expect(norm == 5)
        // torch.nn.utils.clip_grad_norm_: coefficient max_norm / (norm + 1e-6).
        let scale: Float = 1 / (5 + 1e-6)
        #expect(clipped["a"]?.scalars == [3 * scale] && clipped["b"]?.scalars == [4 * scale])
        #expect(GradientClipping.clipGlobalNorm(gradients, maxNorm: 10).gradients["a"]?.scalars == [3])
    }

    @Test func adamStateRestoresIntoAFreshOptimiser() throws {
        var parameter = try Tensor(shape: [2], scalars: [1, -1])
        var adam = Adam(learningRate: 0.1)
        let gradient = try Tensor(shape: [2], scalars: [0.5, 2])
        adam.step(&parameter, gradient: gradient, name: "p")
        var copy = parameter
        var resumed = Adam(learningRate: 0.1)
        try resumed.restore(adam.state)
        #expect(resumed.state == adam.state && adam.state.steps == ["p": 1])
        adam.step(&parameter, gradient: gradient, name: "p")
        resumed.step(&copy, gradient: gradient, name: "p")
        #expect(parameter.scalars == copy.scalars)
        #expect(throws: TensorError.self) { try resumed.restore(OptimiserState(tensors: [:], steps: ["p": 1])) }
    }
}
