import Testing
import XADTensor
import XADTestSupport

/// Gradients from the tape against central differences (`numericalGradient`), independent of
/// the PyTorch fixtures. Each function is weighted by fixed random numbers so that a wrong
/// gradient cannot hide behind a constant sum (the sum of a softmax is always 1).
@Suite("Gradients by finite differences")
struct FiniteDifferenceTests {
    /// Smooth functions of one `[3, 4]` input (no kinks near the random points).
    static let functions: [(String, @Sendable (Tensor) throws -> Tensor)] = [
        ("sigmoid", { $0.sigmoid() }),
        ("tanh", { $0.tanh() }),
        ("softplus", { $0.softplus() }),
        ("exp", { $0.exp() }),
        ("pow 3", { $0.pow(3) }),
        ("softmax", { try $0.softmax(axis: 1) }),
        ("logSoftmax over axis 0", { try $0.logSoftmax(axis: 0) }),
        ("mean over axis 1", { try $0.mean(axes: [1]) }),
        ("max over axis 0", { try $0.max(axes: [0]) }),
        ("sum over both axes", { try $0.sum() }),
        ("permute, slice, pad", { try $0.permuted([1, 0]).sliced(axis: 0, range: 1..<3).padded([(1, 0), (0, 2)]) }),
        ("concatenate with itself", { try Tensor.concatenate([$0, $0.squared()], axis: 0) }),
        ("expand", { try $0.unsqueezed(axis: 0).expanded(to: [2, 3, 4]) }),
        ("matmul with a constant", { try $0.matmul(FiniteDifferenceTests.constant([4, 2], seed: 3)) }),
        ("matmul with a transposed constant", {
            try $0.matmul(FiniteDifferenceTests.constant([5, 4], seed: 8), transposingOther: true)
        }),
        ("batched matmul", { try $0.reshaped([2, 3, 2]).matmul($0.reshaped([2, 2, 3])) }),
        ("pairwise distances", { try Tensor.pairwiseSquaredDistances($0, FiniteDifferenceTests.constant([5, 4], seed: 4)) }),
        ("mean squared error", { try Loss.meanSquaredError($0, FiniteDifferenceTests.constant([3, 4], seed: 5)) }),
        ("binary cross-entropy", {
            try Loss.binaryCrossEntropy($0.sigmoid(), FiniteDifferenceTests.constant([3, 4], seed: 6).sigmoid())
        }),
        ("binary cross-entropy with logits", {
            try Loss.binaryCrossEntropyWithLogits($0, FiniteDifferenceTests.constant([3, 4], seed: 7).sigmoid())
        }),
    ]

    static func constant(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.normal(shape, generator: &generator)
    }

    // tolerance: 2e-2 relative, 2e-3 absolute: central differences with epsilon 1e-2 in Float32
    // carry truncation error of order epsilon² and rounding error of order 1e-7 / epsilon.
    @Test(arguments: functions.map(\.0))
    func tapeGradientMatchesCentralDifferences(_ name: String) throws {
        let function = try #require(Self.functions.first { $0.0 == name }?.1)
        let x = Self.constant([3, 4], seed: 1)
        let weightShape = try function(x).shape
        let weights = Self.constant(weightShape, seed: 2)
        let weighted: (Tensor) throws -> Tensor = { try function($0) * weights }

        let tape = GradientTape()
        let watched = tape.watch(x)
        let analytic = try tape.gradient(of: try weighted(watched).sum(), withRespectTo: watched)
        let numeric = try numericalGradient(of: weighted, at: x)
        let ratio = toleranceRatio(analytic, numeric, absolute: 2e-3, relative: 2e-2)
        #expect(ratio <= 1, "\(name): analytic \(analytic) numeric \(numeric)")
    }

    @Test func numericalGradientOfASquareIsTwiceTheInput() throws {
        let x = try Tensor(shape: [3], scalars: [1, -2, 0.5])
        let gradient = try numericalGradient(of: { try $0 * $0 }, at: x)
        #expect(toleranceRatio(gradient, try Tensor(shape: [3], scalars: [2, -4, 1]), absolute: 1e-3, relative: 1e-3) <= 1)
    }
}
