import Testing
import XADTensor
import XADTestSupport

@Suite("Resize against PyTorch F.interpolate (align_corners=False)")
struct ResizeTests {
    // tolerance: 1e-5 relative, 1e-6 absolute (same float32 index and weight arithmetic as
    // PyTorch; only the order of the four products may differ).
    @Test(arguments: ["bilinear_up_fractional", "bilinear_down", "bilinear_up_double", "bilinear_from_one_pixel",
                      "nearest_up_fractional", "nearest_down", "nearest_up_double"])
    func outputAndGradientMatchPyTorch(name: String) throws {
        let f = try Fixture("nn/resize_\(name).json")
        let modeName = try #require(f["mode"]?.string)
        let mode = try #require(ResizeMode(rawValue: modeName))
        let size = try #require(f["size"]?.ints)
        let tape = GradientTape()
        let x = tape.watch(try f.tensor("input"))
        let y = try x.resized(to: Size2(height: size[0], width: size[1]), mode: mode)
        #expect(toleranceRatio(y, try f.tensor("output"), absolute: 1e-6, relative: 1e-5) <= 1)
        let grad = try tape.gradient(of: y, withRespectTo: x, seed: f.tensor("upstream"))
        #expect(toleranceRatio(grad, try f.tensor("grad_input"), absolute: 1e-6, relative: 1e-5) <= 1)
    }

    @Test func bilinearGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 3)
        let input = Tensor.normal([1, 2, 3, 5], generator: &generator)
        let upstream = Tensor.normal([1, 2, 7, 4], generator: &generator)
        let f = { (x: Tensor) in try x.resized(to: Size2(height: 7, width: 4)) * upstream }
        let tape = GradientTape()
        let x = tape.watch(input)
        let analytic = try tape.gradient(of: f(x), withRespectTo: x)
        // tolerance: 1e-2 relative, 1e-3 absolute (resize is linear, so only float32 rounding remains)
        #expect(toleranceRatio(analytic, try numericalGradient(of: f, at: input), absolute: 1e-3, relative: 1e-2) <= 1)
    }

    @Test func sameSizeIsIdentity() throws {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor.normal([2, 3, 4, 5], generator: &generator)
        #expect(try x.resized(to: Size2(height: 4, width: 5)).scalars == x.scalars)
        #expect(try x.resized(to: Size2(height: 4, width: 5), mode: .nearest).scalars == x.scalars)
    }

    @Test func badInputThrows() {
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 4, 4]).resized(to: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 1, 4, 4]).resized(to: Size2(height: 0, width: 2)) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 1, 0, 4]).resized(to: 2) }
    }
}
