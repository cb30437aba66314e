import Testing
import XADTensor
import XADTestSupport

/// Pairwise squared distances against the direct definition `Σ (xᵢ - yⱼ)²` in float64 (PyTorch).
@Suite("Pairwise squared distances")
struct DistanceTests {
    // tolerance: 1e-5 relative, 2e-5 absolute: the GEMM expansion |x|² + |y|² - 2x·y cancels, so a
    // small distance keeps an absolute error of a few ulp of |x|² (about 16 here).
    @Test(arguments: ["small", "1x1", "features"])
    func matchesDirectDefinition(_ name: String) throws {
        let ratios = try fixtureMismatch(Fixture("tensor_ops/distances_\(name).json"), inputs: ["a", "b"],
                                         absolute: 2e-5, relative: 1e-5) {
            try Tensor.pairwiseSquaredDistances($0[0], $0[1])
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "distances_\(name) \(key): \(ratio)") }
    }

    @Test func equalPointsGiveZeroNotNegative() throws {
        let x = try Tensor(shape: [2, 3], scalars: [0.1, 0.2, 0.3, 1e3, -2e3, 7])
        let d = try Tensor.pairwiseSquaredDistances(x, x)
        #expect(d.scalars.allSatisfy { $0 >= 0 })
        #expect(d[0, 0] <= 1e-6 && d[1, 1] <= 1)
        #expect(try Tensor.pairwiseSquaredDistances(Tensor.zeros([1, 2]), try Tensor(shape: [1, 2], scalars: [3, 4])).scalars == [25] as [Float])
    }

    @Test func badShapesThrow() {
        #expect(throws: TensorError.self) { try Tensor.pairwiseSquaredDistances(Tensor.zeros([2, 3]), Tensor.zeros([2, 4])) }
        #expect(throws: TensorError.self) { try Tensor.pairwiseSquaredDistances(Tensor.zeros([3]), Tensor.zeros([2, 3])) }
    }
}
