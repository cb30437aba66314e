import Testing
import XADTensor
import XADTestSupport

@Suite("Gaussian blur against anomalib's GaussianBlur2d")
struct GaussianBlurTests {
    // tolerance: 1e-5 relative, 1e-6 absolute (separable passes vs anomalib's 2-D kernel: the
    // same weights, summed in a different order).
    @Test(arguments: ["sigma4_default_kernel", "sigma1_default_kernel", "sigma1p5_kernel5"])
    func outputAndGradientMatchAnomalib(name: String) throws {
        let f = try Fixture("nn/gaussian_blur_\(name).json")
        let sigma = try #require(f["sigma"]?.float)
        let tape = GradientTape()
        let x = tape.watch(try f.tensor("input"))
        let y = try x.gaussianBlur(sigma: sigma, kernelSize: f["kernel_size"]?.int)
        #expect(toleranceRatio(y, try f.tensor("output"), absolute: 1e-6, relative: 1e-5) <= 1)
        let grad = try tape.gradient(of: y, withRespectTo: x, seed: f.tensor("upstream"))
        #expect(toleranceRatio(grad, try f.tensor("grad_input"), absolute: 1e-6, relative: 1e-5) <= 1)
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 5)
        let input = Tensor.normal([1, 1, 4, 6], generator: &generator)
        let upstream = Tensor.normal([1, 1, 4, 6], generator: &generator)
        // Padding 4 exceeds the 4-pixel height: the reflection repeats periodically.
        let f = { (x: Tensor) in try x.gaussianBlur(sigma: 1) * upstream }
        let tape = GradientTape()
        let x = tape.watch(input)
        let analytic = try tape.gradient(of: f(x), withRespectTo: x)
        // tolerance: 1e-2 relative, 1e-3 absolute (blur is linear, so only float32 rounding remains)
        #expect(toleranceRatio(analytic, try numericalGradient(of: f, at: input), absolute: 1e-3, relative: 1e-2) <= 1)
    }

    @Test func constantPlaneStaysConstant() throws {
        let x = Tensor(shape: [1, 1, 3, 50], repeating: 2.5)
        let y = try x.gaussianBlur(sigma: 4)
        #expect(y.shape == x.shape)
        #expect(y.scalars.allSatisfy { abs($0 - 2.5) < 1e-5 })
    }

    @Test func badArgumentsThrow() {
        let x = Tensor.zeros([1, 1, 8, 8])
        #expect(throws: TensorError.self) { try x.gaussianBlur(sigma: 0) }
        #expect(throws: TensorError.self) { try x.gaussianBlur(sigma: 1, kernelSize: 4) }
        #expect(throws: TensorError.self) { try Tensor.zeros([8, 8]).gaussianBlur(sigma: 1) }
    }
}
