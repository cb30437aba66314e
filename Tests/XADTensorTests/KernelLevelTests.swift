import Testing
import XADTensor
import XADTestSupport

/// The depthwise conv2d cases of Tools/reference/gen_convolution.py (PyTorch, float64): the
/// `_wide`, `multiplier2`, `pad_by_axis` and `no_padding` ones give the vectorised kernels
/// (CXADKernels/depthwise.c) rows of several vectors, partial last vectors and row blocks.
private let depthwiseCases = [
    "depthwise_stride1", "depthwise_stride2", "depthwise_multiplier2", "depthwise_dilation2_stride2",
    "depthwise_stride2_odd_width", "depthwise_5x5_stride2", "depthwise_3x3_stride3",
    "depthwise_3x3_stride1_wide", "depthwise_5x5_stride1_multiplier2", "depthwise_3x3_stride2_wide",
    "depthwise_5x5_stride2_pad_by_axis", "depthwise_3x3_no_padding",
]

/// The cases of the same script that Winograd F(2x2, 3x3) computes (CXADKernels/winograd.c).
private let winogradCases = ["3x3_stride1_winograd", "3x3_stride1_winograd_groups2"]

/// Every CPU level this machine has (portable, AVX2, AVX-512) runs in this one process, so
/// `make test` checks the fallbacks without `XAD_CPU_LEVEL`.
private let levels = [CPULevel.portable, .avx2, .avx512].filter { $0 <= .detected }

@Suite("convolution kernels at every CPU level")
struct KernelLevelTests {
    /// tolerance: 1e-4 relative, 1e-5 absolute, as for conv2d (float32 sums in another order, and
    /// with fused multiply-adds, against the float64 reference).
    @Test("the depthwise forward kernel of each CPU level matches PyTorch", arguments: depthwiseCases)
    func depthwiseMatchesPyTorch(_ name: String) throws {
        let reference = try ConvolutionCase(name)
        #expect(reference.geometry.isDepthwise)
        for level in levels {
            let output = reference.run { g, input, weight, bias, out in
                DepthwiseConvolution.forward(g, input: input, weight: weight, bias: bias, output: out, level: level)
            }
            #expect(toleranceRatio(output, reference.expected, absolute: 1e-5, relative: 1e-4) <= 1, "\(name) at \(level)")
        }
    }

    /// tolerance: 1e-4 relative, 1e-5 absolute: Winograd's transforms add a few float32
    /// roundings (entries 0, ±1, ±½) to the direct sum's.
    @Test("Winograd F(2x2, 3x3) at each CPU level matches PyTorch", arguments: winogradCases)
    func winogradMatchesPyTorch(_ name: String) throws {
        let reference = try ConvolutionCase(name)
        #expect(WinogradConvolution.applies(to: reference.geometry))
        for level in levels {
            let output = reference.run { g, input, weight, bias, out in
                WinogradConvolution.forward(g, input: input, weight: weight, bias: bias, output: out, level: level)
            }
            #expect(toleranceRatio(output, reference.expected, absolute: 1e-5, relative: 1e-4) <= 1, "\(name) at \(level)")
        }
    }
}

/// One conv2d fixture's operands, geometry and expected output, for calling a kernel directly.
private struct ConvolutionCase {
    let input: Tensor, weight: Tensor, bias: Tensor?, expected: Tensor
    let geometry: ConvolutionGeometry

    init(_ name: String) throws {
        let fixture = try Fixture("convolution/conv2d_\(name).json")
        input = try fixture.tensor("input")
        weight = try fixture.tensor("weight")
        bias = try fixture.keys.contains("bias") ? fixture.tensor("bias") : nil
        expected = try fixture.tensor("output")
        geometry = try ConvolutionGeometry.validatedForward(
            input: input.shape, weight: weight.shape, bias: bias?.shape, stride: fixture.size2("stride"),
            padding: fixture.size2("padding"), dilation: fixture.size2("dilation"), groups: fixture.groups)
    }

    /// The output `kernel` writes from this case's operands.
    func run(_ kernel: (ConvolutionGeometry, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
                        UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        Tensor(shape: geometry.outputShape) { out in
            guard let base = out.baseAddress else { return }
            kernel(geometry, input.storage.base, weight.storage.base, bias.map { UnsafePointer($0.storage.base) }, base)
        }
    }
}
