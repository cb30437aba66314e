import Testing
import XADTensor
import XADTestSupport

/// A one-parameter module, so optimisers run through the same path as for a network.
private struct Vector: Module {
    var value: Tensor
    mutating func visit(_ visitor: inout ModuleVisitor) { visitor.parameter("value", &value) }
}

@Suite("Optimisers and schedules against torch.optim")
struct OptimiserTests {
    static let optimisers: [String: any Optimiser] = [
        "sgd_plain": SGD(learningRate: 0.1),
        "sgd_momentum_weight_decay": SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01),
        "sgd_nesterov": SGD(learningRate: 0.05, momentum: 0.8, weightDecay: 0.001, nesterov: true),
        "adam": Adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
        "adam_weight_decay": Adam(learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1),
        "adamw": AdamW(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05),
    ]

    // tolerance: 1e-5 relative, 1e-6 absolute (same float32 update rules; scalars such as the
    // learning rate are float32 here and double in PyTorch).
    @Test(arguments: ["sgd_plain", "sgd_momentum_weight_decay", "sgd_nesterov", "adam", "adam_weight_decay", "adamw"])
    func trajectoryMatchesPyTorch(name: String) throws {
        let f = try Fixture("nn/optimisers.json")
        var optimiser = try #require(Self.optimisers[name])
        let gradients = try f.tensor("gradients"), expected = try f.tensor("\(name).trajectory")
        let size = gradients.shape[1]
        var model = Vector(value: try f.tensor("start"))
        for step in 0..<gradients.shape[0] {
            let gradient = try gradients.sliced(axis: 0, range: step..<(step + 1)).reshaped([size])
            try optimiser.update(&model, along: ["value": gradient])
            let want = try expected.sliced(axis: 0, range: step..<(step + 1)).reshaped([size])
            #expect(toleranceRatio(model.value, want, absolute: 1e-6, relative: 1e-5) <= 1, "step \(step)")
        }
    }

    @Test func parametersWithoutGradientsStayAndBadShapesThrow() throws {
        var model = Vector(value: .ones([3]))
        var sgd = SGD(learningRate: 0.5)
        try sgd.update(&model, along: [:])
        #expect(model.value.scalars == [1, 1, 1] as [Float])
        #expect(throws: TensorError.self) { try sgd.update(&model, along: ["value": .ones([2])]) }
        #expect(model.value.scalars == [1, 1, 1] as [Float])
    }

    // tolerance: 1e-6 relative (double-precision formulas on both sides, rounded to float32 here)
    @Test func stepAndCosineRatesMatchPyTorch() throws {
        let f = try Fixture("nn/schedules.json")
        let base = try #require(f["base"]?.float)
        let stepRates = try #require(f["step_lr"]?.doubles)
        let cosineRates = try #require(f["cosine"]?.doubles)
        let step = StepLR(stepSize: 3, gamma: 0.5), cosine = CosineAnnealing(total: 10, minimum: 0.001)
        for (i, want) in stepRates.enumerated() {
            let got = Double(step.learningRate(base: base, step: i))
            #expect(Swift.abs(got - want) <= 1e-6 * want, "StepLR step \(i)")
        }
        for (i, want) in cosineRates.enumerated() {
            let got = Double(cosine.learningRate(base: base, step: i))
            #expect(Swift.abs(got - want) <= 1e-6 * want, "cosine step \(i)")
        }
    }
}
