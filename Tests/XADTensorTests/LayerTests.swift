import Testing
import XADTensor
import XADTestSupport

/// A convolutional trunk, global average pooling and a linear head; two levels of names
/// ("features.0.weight", "head.bias"). Also the network ``TrainingTests`` trains.
struct FeaturesThenHead: Layer {
    var features: Sequential
    var head: Linear

    mutating func visit(_ visitor: inout ModuleVisitor) {
        visitor.child("features", &features)
        visitor.child("head", &head)
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try head(features(input).globalAvgPool2d().flattened())
    }

    mutating func callAsFunction(training input: Tensor) throws -> Tensor {
        try head(features(training: input).globalAvgPool2d().flattened())
    }
}

/// Conv 2 -> 3 (3x3), batch norm, ReLU; head 3 -> 2.
private func smallNet(seed: UInt64) throws -> FeaturesThenHead {
    var g = SeededGenerator(seed: seed)
    let features = Sequential(try Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1, generator: &g),
                              BatchNorm2D(channels: 3), Activation.relu)
    return FeaturesThenHead(features: features, head: try Linear(inputSize: 3, outputSize: 2, generator: &g))
}

@Suite("Modules, layers and named parameters")
struct LayerTests {
    @Test func parametersAndBuffersAreNamedLikePyTorch() throws {
        let net = try smallNet(seed: 1)
        #expect(net.parameterNames == ["features.0.weight", "features.0.bias", "features.1.weight",
                                       "features.1.bias", "head.weight", "head.bias"])
        #expect(Set(net.state.keys) == Set(net.parameterNames + ["features.1.running_mean", "features.1.running_var"]))
        #expect(net.parameters["features.0.weight"]?.shape == [3, 2, 3, 3])
    }

    @Test func loadingAnotherNetworksStateReproducesItsOutput() throws {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.normal([2, 2, 5, 5], generator: &generator)
        let source = try smallNet(seed: 1)
        var target = try smallNet(seed: 2)
        #expect(try target(x).scalars != source(x).scalars)
        try target.load(source.state)
        #expect(try target(x).scalars == source(x).scalars)
    }

    @Test func loadReportsEveryProblemByNameAndChangesNothing() throws {
        var net = try smallNet(seed: 1)
        let before = net.state
        var tensors = before
        tensors["head.bias"] = nil
        tensors["features.0.weight"] = .zeros([3, 2, 1, 1])
        tensors["classifier.weight"] = .zeros([1])
        do {
            try net.load(tensors)
            Issue.record("expected a load error")
        } catch let error as ModuleLoadError {
            #expect(error.missing == ["head.bias"])
            #expect(error.mismatched == [.init(name: "features.0.weight", expected: [3, 2, 3, 3], found: [3, 2, 1, 1])])
            #expect(error.unused == ["classifier.weight"])
            #expect(error.description ==
                "load: missing head.bias; features.0.weight has shape [3, 2, 1, 1], expected [3, 2, 3, 3]; unused classifier.weight")
        }
        #expect(net.state["features.0.weight"]?.scalars == before["features.0.weight"]?.scalars)
        tensors = before
        tensors["classifier.weight"] = .zeros([1])
        try net.load(tensors, ignoringUnused: true)
    }

    @Test func gradientsByNameMatchTheOpsGradients() throws {
        var generator = SeededGenerator(seed: 4)
        let x = Tensor.normal([1, 2, 4, 4], generator: &generator)
        var conv = try Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, generator: &generator)
        let tape = GradientTape()
        conv.watchParameters(on: tape)
        let gradients = try tape.gradients(of: conv(x).sum(), for: conv)
        #expect(Set(gradients.keys) == ["weight", "bias"])

        let direct = GradientTape()
        let weight = direct.watch(conv.weight.detached), bias = direct.watch(try #require(conv.bias).detached)
        let expected = try direct.gradients(of: x.conv2d(weight, bias: bias, stride: 2, padding: 1).sum(),
                                            withRespectTo: [weight, bias])
        #expect(gradients["weight"]?.scalars == expected[0].scalars)
        #expect(gradients["bias"]?.scalars == expected[1].scalars)
    }

    // tolerance: 1e-5 relative, 1e-5 absolute (float32, as in BatchNormTests)
    @Test func batchNormTrainingUpdatesRunningStatisticsLikePyTorch() throws {
        let f = try Fixture("nn/batchnorm_training.json")
        var norm = BatchNorm2D(channels: 4, momentum: try #require(f["momentum"]?.float),
                               epsilon: try #require(f["epsilon"]?.float))
        try norm.load(["weight": f.tensor("scale"), "bias": f.tensor("shift"),
                       "running_mean": .zeros([4]), "running_var": .ones([4])])
        let x = try f.tensor("input")
        let y = try norm(training: x)
        #expect(toleranceRatio(y, try f.tensor("output"), absolute: 1e-5, relative: 1e-5) <= 1)
        #expect(toleranceRatio(norm.runningMean, try f.tensor("running_mean_after"), absolute: 1e-5, relative: 1e-5) <= 1)
        #expect(toleranceRatio(norm.runningVariance, try f.tensor("running_variance_after"), absolute: 1e-5, relative: 1e-5) <= 1)
        // Evaluation mode uses the running statistics and changes nothing.
        let frozen = norm
        let z = try norm(x)
        #expect(norm.runningMean.scalars == frozen.runningMean.scalars)
        let expected = try x.batchNorm(mean: norm.runningMean, variance: norm.runningVariance,
                                       scale: norm.weight, shift: norm.bias, epsilon: norm.epsilon)
        #expect(z.scalars == expected.scalars)
    }

    // tolerance: 1e-5 relative, 1e-5 absolute (the fold reorders float32 products)
    @Test func foldingBatchNormIntoConvolutionGivesTheSameOutput() throws {
        var generator = SeededGenerator(seed: 11)
        let conv = try Conv2D(inputChannels: 4, outputChannels: 4, kernelSize: 3, padding: 1, groups: 2, generator: &generator)
        var norm = BatchNorm2D(channels: 4, epsilon: 1e-3)
        try norm.load(["weight": .normal([4], generator: &generator), "bias": .normal([4], generator: &generator),
                       "running_mean": .normal([4], generator: &generator),
                       "running_var": .uniform([4], in: 0.5..<2, generator: &generator)])
        let x = Tensor.normal([2, 4, 6, 5], generator: &generator)
        let fused = try conv.foldingBatchNorm(norm)
        #expect(toleranceRatio(try fused(x), try norm(conv(x)), absolute: 1e-5, relative: 1e-5) <= 1)
        #expect(throws: TensorError.self) { try conv.foldingBatchNorm(BatchNorm2D(channels: 3)) }
    }

    @Test func linearComputesXTimesWeightTransposedPlusBias() throws {
        let layer = try Linear(weight: Tensor(shape: [2, 3], scalars: [1, 0, -1, 2, 1, 0]),
                               bias: Tensor(shape: [2], scalars: [0.5, -1]))
        let x = try Tensor(shape: [1, 3], scalars: [1, 2, 3])
        #expect(try layer(x).scalars == [-1.5, 3] as [Float])   // [1 - 3 + 0.5, 2 + 2 - 1]
        #expect(throws: TensorError.self) { try Linear(weight: .zeros([2, 3]), bias: .zeros([3])) }
    }

    @Test func initialisationIsSeededAndBoundedLikePyTorch() throws {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let first = try Conv2D(inputChannels: 8, outputChannels: 4, kernelSize: 3, generator: &a)
        let second = try Conv2D(inputChannels: 8, outputChannels: 4, kernelSize: 3, generator: &b)
        #expect(first.weight.scalars == second.weight.scalars)
        let bound = Float(1) / Float(72).squareRoot()   // fan-in 8 · 3 · 3
        #expect(first.weight.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(first.weight.scalars.contains { Swift.abs($0) > bound * 0.9 })
        #expect(throws: TensorError.self) { try Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3, groups: 2, generator: &a) }
    }
}
