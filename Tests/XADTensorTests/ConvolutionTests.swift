import Testing
import XADTensor
import XADTestSupport

/// The conv2d cases written by Tools/reference/gen_convolution.py (PyTorch, float64).
private let conv2dCases = [
    "pointwise", "pointwise_stride2", "3x3_stride2_pad1", "non_square", "dilation2", "groups2",
    "depthwise_stride1", "depthwise_stride2", "depthwise_multiplier2", "depthwise_dilation2_stride2",
    "spatial_1x1", "single_channel", "depthwise_stride2_odd_width",
    "depthwise_5x5_stride2", "depthwise_3x3_stride3", "depthwise_3x3_stride1_wide",
    "depthwise_5x5_stride1_multiplier2", "depthwise_3x3_stride2_wide", "depthwise_5x5_stride2_pad_by_axis",
    "depthwise_3x3_no_padding", "3x3_stride1_winograd", "3x3_stride1_winograd_groups2",
]

@Suite("conv2d")
struct ConvolutionTests {
    // tolerance: 1e-4 relative, 1e-5 absolute: we sum in float32 in another order than the
    // float64 reference (im2col + sgemm, Winograd F(2x2, 3x3), or the direct depthwise kernel).
    @Test("matches PyTorch: output and gradients of input, weight and bias", arguments: conv2dCases)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("convolution/conv2d_\(name).json")
        try fixture.checkConvolution { x, w, b in
            try x.conv2d(w, bias: b, stride: fixture.size2("stride"), padding: fixture.size2("padding"),
                         dilation: fixture.size2("dilation"), groups: fixture.groups)
        }
    }

    @Test("gradients agree with finite differences (grouped, strided, dilated)")
    func finiteDifferences() throws {
        var generator = SeededGenerator(seed: 7)
        let x = Tensor.normal([1, 4, 6, 5], generator: &generator)
        let w = Tensor.normal([4, 2, 3, 3], generator: &generator)
        let upstream = Tensor.normal([1, 4, 2, 3], generator: &generator)
        let conv = { (x: Tensor, w: Tensor) in
            try x.conv2d(w, stride: 2, padding: Size2(height: 1, width: 2), dilation: 2, groups: 2)
        }
        let tape = GradientTape()
        let tx = tape.watch(x), tw = tape.watch(w)
        let grads = try tape.gradients(of: conv(tx, tw), withRespectTo: [tx, tw], seed: upstream)
        // tolerance: 1e-2 relative and absolute, central differences of a float32 sum.
        let numericX = try numericalGradient(of: { try conv($0, w) * upstream }, at: x)
        let numericW = try numericalGradient(of: { try conv(x, $0) * upstream }, at: w)
        #expect(toleranceRatio(grads[0], numericX, absolute: 1e-2, relative: 1e-2) <= 1)
        #expect(toleranceRatio(grads[1], numericW, absolute: 1e-2, relative: 1e-2) <= 1)
    }

    @Test("rows wider than the im2col workspace (one block per output row) match a direct sum")
    func blockedIm2col() throws {
        // patchSize 64·9 = 576 times 500 output columns exceeds the 2^18-float workspace target,
        // so each of the two output rows is its own block.
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.normal([1, 64, 4, 502], generator: &generator)
        let w = Tensor.normal([2, 64, 3, 3], generator: &generator)
        let upstream = Tensor.normal([1, 2, 2, 500], generator: &generator)
        let tape = GradientTape()
        let tx = tape.watch(x), tw = tape.watch(w)
        let y = try tx.conv2d(tw)
        var worst: Double = 0
        for o in 0..<2 {
            for row in 0..<2 {
                for column in stride(from: 0, to: 500, by: 7) {
                    var direct: Double = 0
                    for c in 0..<64 {
                        for ky in 0..<3 {
                            for kx in 0..<3 { direct += Double(w[o, c, ky, kx]) * Double(x[0, c, row + ky, column + kx]) }
                        }
                    }
                    worst = max(worst, abs(Double(y[0, o, row, column]) - direct) / (1e-4 + abs(direct)))
                }
            }
        }
        // tolerance: 1e-4 relative (float32 sums of 576 products against a Double sum).
        #expect(worst <= 1e-4)
        // Gradients by the adjoint identities <conv(x, w), u> = <x, dx(u)> = <w, dw(u)>.
        let grads = try tape.gradients(of: y, withRespectTo: [tx, tw], seed: upstream)
        let output = dot(y, upstream)
        #expect(abs(dot(x, grads[0]) - output) <= 1e-4 * abs(output))
        #expect(abs(dot(w, grads[1]) - output) <= 1e-4 * abs(output))
    }

    /// `Σ a·b` in Double.
    private func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test("a frozen weight still gives the input's gradient")
    func inputGradientThroughFrozenWeight() throws {
        let fixture = try Fixture("convolution/conv2d_3x3_stride2_pad1.json")
        let tape = GradientTape()
        let x = tape.watch(try fixture.tensor("input"))
        let y = try x.conv2d(fixture.tensor("weight"), bias: fixture.tensor("bias"), stride: 2, padding: 1)
        let gradient = try tape.gradient(of: y, withRespectTo: x, seed: fixture.tensor("upstream"))
        #expect(toleranceRatio(gradient, try fixture.tensor("grad_input"), absolute: 1e-5, relative: 1e-4) <= 1)
    }

    @Test("invalid geometry throws an error naming conv2d and the shapes")
    func invalidGeometry() throws {
        let x = Tensor.zeros([1, 4, 5, 5])
        let cases: [(Tensor, Tensor?, Size2, Size2, Int, TensorError.Kind)] = [
            (Tensor.zeros([6, 3, 3, 3]), nil, 1, 0, 2, .shapeMismatch),    // weight wants 3 channels per group, input has 2
            (Tensor.zeros([6, 4, 3, 3]), nil, 1, 0, 4, .shapeMismatch),    // 6 outputs do not split into 4 groups
            (Tensor.zeros([5, 4, 3, 3]), nil, 1, 0, 2, .shapeMismatch),    // 5 outputs do not split into 2 groups
            (Tensor.zeros([2, 4, 7, 7]), nil, 1, 0, 1, .shapeMismatch),    // kernel larger than input
            (Tensor.zeros([2, 4, 3, 3]), nil, 0, 0, 1, .invalidArgument),  // stride 0
            (Tensor.zeros([2, 4, 3, 3]), nil, 1, -1, 1, .invalidArgument), // negative padding
            (Tensor.zeros([2, 4, 3]), nil, 1, 0, 1, .shapeMismatch),       // weight rank 3
            (Tensor.zeros([2, 4, 3, 3]), Tensor.zeros([3]), 1, 0, 1, .shapeMismatch),  // bias size
        ]
        for (weight, bias, stride, padding, groups, kind) in cases {
            #expect {
                try x.conv2d(weight, bias: bias, stride: stride, padding: padding, groups: groups)
            } throws: { error in
                guard let error = error as? TensorError else { return false }
                return error.kind == kind && error.operation == "conv2d"
            }
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([4, 5, 5]).conv2d(Tensor.zeros([2, 4, 3, 3])) }
        do {
            _ = try x.conv2d(Tensor.zeros([6, 3, 3, 3]), groups: 2)
        } catch let error as TensorError {
            #expect(error.description.contains("[1, 4, 5, 5]") && error.description.contains("[6, 3, 3, 3]"))
        }
    }
}

extension Fixture {
    /// A `[height, width]` pair stored under `key`.
    func size2(_ key: String) throws -> Size2 {
        guard let pair = self[key]?.ints, pair.count == 2 else { throw FixtureError("\(url.lastPathComponent): no pair \(key)") }
        return Size2(height: pair[0], width: pair[1])
    }

    var groups: Int { self["groups"]?.int ?? 1 }

    /// Runs `convolution(input, weight, bias)` on watched operands and compares the output and
    /// the gradients for the stored upstream with the fixture.
    /// tolerance: 1e-4 relative, 1e-5 absolute (float32 summation order differs from the reference).
    func checkConvolution(_ convolution: (Tensor, Tensor, Tensor?) throws -> Tensor) throws {
        let tape = GradientTape()
        let x = tape.watch(try tensor("input")), w = tape.watch(try tensor("weight"))
        let b = try keys.contains("bias") ? tape.watch(tensor("bias")) : nil
        let y = try convolution(x, w, b)
        #expect(toleranceRatio(y, try tensor("output"), absolute: 1e-5, relative: 1e-4) <= 1, "output of \(url.lastPathComponent)")
        let operands = [x, w] + (b.map { [$0] } ?? [])
        let grads = try tape.gradients(of: y, withRespectTo: operands, seed: tensor("upstream"))
        for (gradient, key) in zip(grads, ["grad_input", "grad_weight", "grad_bias"]) {
            #expect(toleranceRatio(gradient, try tensor(key), absolute: 1e-5, relative: 1e-4) <= 1,
                    "\(key) of \(url.lastPathComponent)")
        }
    }
}
