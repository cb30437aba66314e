import Testing
import XADTensor
import XADTestSupport

/// The conv_transpose2d cases written by Tools/reference/gen_convolution.py (PyTorch, float64).
private let transposedCases = [
    "stride2_output_padding1", "stride1", "non_square", "dilation2_output_padding1", "groups2",
    "depthwise_stride2", "spatial_1x1", "pointwise",
]

@Suite("convTranspose2d")
struct TransposedConvolutionTests {
    // tolerance: 1e-4 relative, 1e-5 absolute: float32 sums in another order than the float64 reference.
    @Test("matches PyTorch: output and gradients of input, weight and bias", arguments: transposedCases)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("convolution/conv_transpose2d_\(name).json")
        try fixture.checkConvolution { x, w, b in
            try x.convTranspose2d(w, bias: b, stride: fixture.size2("stride"), padding: fixture.size2("padding"),
                                  outputPadding: fixture.size2("output_padding"),
                                  dilation: fixture.size2("dilation"), groups: fixture.groups)
        }
    }

    @Test("is the adjoint of conv2d: <conv(x), y> = <x, convTranspose(y)>")
    func adjointOfConvolution() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.normal([2, 4, 8, 6], generator: &generator)
        let w = Tensor.normal([6, 2, 3, 2], generator: &generator)
        let y = Tensor.normal([2, 6, 4, 4], generator: &generator)
        let forward = try x.conv2d(w, stride: 2, padding: 1, groups: 2)
        let back = try y.convTranspose2d(w, stride: 2, padding: 1, outputPadding: Size2(height: 1, width: 0), groups: 2)
        #expect(back.shape == x.shape)
        let left = zip(forward.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        // tolerance: 1e-4 relative (float32 sums of a few hundred products).
        #expect(abs(left - right) <= 1e-4 * abs(left))
    }

    @Test("gradients agree with finite differences")
    func finiteDifferences() throws {
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.normal([1, 2, 3, 4], generator: &generator)
        let w = Tensor.normal([2, 3, 3, 3], generator: &generator)
        let transposed = { (x: Tensor, w: Tensor) in try x.convTranspose2d(w, stride: 2, padding: 1, outputPadding: 1) }
        let upstream = Tensor.normal([1, 3, 6, 8], generator: &generator)
        let tape = GradientTape()
        let tx = tape.watch(x), tw = tape.watch(w)
        let grads = try tape.gradients(of: transposed(tx, tw), withRespectTo: [tx, tw], seed: upstream)
        // tolerance: 1e-2 relative and absolute, central differences of a float32 sum.
        let numericX = try numericalGradient(of: { try transposed($0, w) * upstream }, at: x)
        let numericW = try numericalGradient(of: { try transposed(x, $0) * upstream }, at: w)
        #expect(toleranceRatio(grads[0], numericX, absolute: 1e-2, relative: 1e-2) <= 1)
        #expect(toleranceRatio(grads[1], numericW, absolute: 1e-2, relative: 1e-2) <= 1)
    }

    @Test("invalid geometry throws an error naming convTranspose2d")
    func invalidGeometry() throws {
        let x = Tensor.zeros([1, 4, 5, 5])
        let attempts: [() throws -> Tensor] = [
            { try x.convTranspose2d(Tensor.zeros([3, 2, 3, 3])) },                          // 4 channels, weight says 3
            { try x.convTranspose2d(Tensor.zeros([4, 2, 3, 3]), groups: 3) },               // 4 not divisible by 3
            { try x.convTranspose2d(Tensor.zeros([4, 2, 3, 3]), stride: 2, outputPadding: 2) },  // output padding ≥ stride
            { try x.convTranspose2d(Tensor.zeros([4, 2, 3, 3]), stride: 0) },
            { try x.convTranspose2d(Tensor.zeros([4, 2, 3, 3]), padding: 4) },               // empty output
            { try x.convTranspose2d(Tensor.zeros([4, 2, 3, 3]), bias: Tensor.zeros([4])) }, // 2 output channels
        ]
        for attempt in attempts {
            #expect { _ = try attempt() } throws: { error in
                (error as? TensorError)?.operation == "convTranspose2d"
            }
        }
    }
}
