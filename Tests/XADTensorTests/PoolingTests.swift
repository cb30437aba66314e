import Testing
import XADTensor
import XADTestSupport

/// The pooling cases written by Tools/reference/gen_convolution.py (PyTorch, float64).
private let poolingCases = [
    "max_2x2", "max_3x3_stride2_pad1", "max_non_square", "max_ties_overlapping",
    "avg_2x2", "avg_3x3_stride2_pad1", "avg_3x3_stride2_pad1_exclude_padding", "avg_non_square",
    "adaptive_7x9_to_3x4", "adaptive_5x5_to_7x7", "adaptive_8x8_to_2x2", "global",
]

@Suite("Pooling")
struct PoolingTests {
    // tolerance: 1e-6 absolute and relative: the same sums in the same order as PyTorch, only
    // the division and the float64 reference's single rounding differ.
    @Test("matches PyTorch: output and input gradient", arguments: poolingCases)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("convolution/pooling_\(name).json")
        let tape = GradientTape()
        let x = tape.watch(try fixture.tensor("input"))
        let y: Tensor
        switch fixture["kind"]?.string {
        case "max":
            y = try x.maxPool2d(kernel: fixture.size2("kernel"), stride: fixture.optionalSize2("stride"),
                                padding: fixture.optionalSize2("padding") ?? 0)
        case "avg":
            y = try x.avgPool2d(kernel: fixture.size2("kernel"), stride: fixture.optionalSize2("stride"),
                                padding: fixture.optionalSize2("padding") ?? 0,
                                countIncludePadding: fixture["count_include_pad"]?.bool ?? true)
        case "adaptive":
            y = try x.adaptiveAvgPool2d(fixture.size2("output_size"))
        default:
            y = try x.globalAvgPool2d()
        }
        #expect(toleranceRatio(y, try fixture.tensor("output"), absolute: 1e-6, relative: 1e-6) <= 1)
        let gradient = try tape.gradient(of: y, withRespectTo: x, seed: fixture.tensor("upstream"))
        #expect(toleranceRatio(gradient, try fixture.tensor("grad_input"), absolute: 1e-6, relative: 1e-6) <= 1)
    }

    @Test("average pooling gradients agree with finite differences")
    func finiteDifferences() throws {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor.normal([1, 2, 5, 6], generator: &generator)
        let pool = { (x: Tensor) in
            try x.avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludePadding: false).adaptiveAvgPool2d(Size2(height: 2, width: 3))
        }
        let upstream = Tensor.normal([1, 2, 2, 3], generator: &generator)
        let tape = GradientTape()
        let tx = tape.watch(x)
        let analytic = try tape.gradient(of: pool(tx), withRespectTo: tx, seed: upstream)
        let numeric = try numericalGradient(of: { try pool($0) * upstream }, at: x)
        // tolerance: 1e-2 relative and absolute, central differences of a float32 sum.
        #expect(toleranceRatio(analytic, numeric, absolute: 1e-2, relative: 1e-2) <= 1)
    }

    @Test("max pooling propagates NaN and routes a tie's gradient to the first maximum")
    func nanAndTies() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1, Float.nan, 3, 2])
        #expect(try x.maxPool2d(kernel: 2).scalars.first?.isNaN == true)
        let tape = GradientTape()
        let tied = tape.watch(try Tensor(shape: [1, 1, 2, 2], scalars: [5, 5, 5, 1]))
        let gradient = try tape.gradient(of: tied.maxPool2d(kernel: 2), withRespectTo: tied)
        #expect(gradient.scalars == [1, 0, 0, 0] as [Float])
    }

    @Test("invalid arguments throw errors naming the operation")
    func invalidArguments() throws {
        let x = Tensor.zeros([1, 2, 4, 4])
        #expect(throws: TensorError.self) { try x.maxPool2d(kernel: 2, padding: 2) }      // more than half the kernel
        #expect(throws: TensorError.self) { try x.maxPool2d(kernel: 5) }                  // larger than the input
        #expect(throws: TensorError.self) { try x.avgPool2d(kernel: 2, stride: 0) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 4, 4]).avgPool2d(kernel: 2) }
        #expect(throws: TensorError.self) { try x.adaptiveAvgPool2d(0) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 0, 3]).globalAvgPool2d() }
    }

    @Test("global average pooling is the plane mean, shape [N, C, 1, 1]")
    func globalMean() throws {
        let x = try Tensor(shape: [1, 2, 1, 3], scalars: [1, 2, 3, 10, 20, 30])
        let y = try x.globalAvgPool2d()
        #expect(y.shape == [1, 2, 1, 1])
        #expect(y.scalars == [2, 20] as [Float])
    }
}

extension Fixture {
    /// A `[height, width]` pair stored under `key`, or nil when the key is absent.
    func optionalSize2(_ key: String) throws -> Size2? {
        self[key] == nil ? nil : try size2(key)
    }
}
