import Testing
import XADTensor
import XADTestSupport

@Suite("SSIM against scikit-image's structural_similarity")
struct StructuralSimilarityTests {
    static func windows(dataRange: Float) -> [(name: String, settings: SSIMSettings)] {
        [("gaussian", .gaussian(dataRange: dataRange)), ("uniform", .uniform(dataRange: dataRange))]
    }

    // tolerance: 2e-5 absolute on the map and 1e-6 on the mean (Float32 local moments against
    // scikit-image's Float64; the variance's E[x²] - E[x]² cancels about 5 digits at worst).
    @Test(arguments: ["gray", "rgb"])
    func mapAndMeanMatchScikitImage(input: String) throws {
        let f = try Fixture("ssim/ssim.json")
        let (x, y) = (try f.tensor("\(input)_x"), try f.tensor("\(input)_y"))
        let dataRange: Float = input == "gray" ? 1 : 2
        for window in Self.windows(dataRange: dataRange) {
            let settings = window.settings
            let map = try x.structuralSimilarityMap(y, settings)
            #expect(toleranceRatio(map, try f.tensor("\(input)_\(window.name)_map"), absolute: 2e-5, relative: 0) <= 1,
                    "\(input), \(window.name) window")
            let mean = try #require(x.structuralSimilarity(y, settings).scalars.first)
            let expected = try #require(f["\(input)_\(window.name)_mean"]?.float)
            #expect(abs(mean - expected) <= 1e-6, "\(input), \(window.name): \(mean) vs \(expected)")
            #expect(expected > 0.05 && expected < 0.9)   // the fixture is neither trivial nor identical
        }
    }

    @Test func identicalImagesScoreOneAndTheBatchIsPerImage() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.uniform([2, 1, 12, 12], generator: &generator)
        let y = try Tensor.concatenate([try x.sliced(axis: 0, range: 0..<1), Tensor.uniform([1, 1, 12, 12], generator: &generator)],
                                       axis: 0)
        let ssim = try x.structuralSimilarity(y, .gaussian(dataRange: 1)).scalars
        #expect(ssim.count == 2 && abs(ssim[0] - 1) < 1e-5 && ssim[1] < 0.5)
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 8)
        let reference = Tensor.uniform([1, 2, 6, 7], generator: &generator)
        let start = Tensor.uniform([1, 2, 6, 7], generator: &generator)
        let settings = SSIMSettings(window: .uniform(size: 3), dataRange: 1, sampleCovariance: false)
        let f = { (x: Tensor) in try x.structuralSimilarityMap(reference, settings) }
        let tape = GradientTape()
        let x = tape.watch(start)
        let analytic = try tape.gradient(of: try f(x).sum(), withRespectTo: x)
        // tolerance: 2e-2 absolute (central differences of step 1e-3 in Float32; gradients are O(1))
        let numeric = try numericalGradient(of: f, at: start, epsilon: 1e-3)
        #expect(toleranceRatio(analytic, numeric, absolute: 2e-2, relative: 0) <= 1)
        #expect(analytic.scalars.contains { abs($0) > 0.1 })
    }

    @Test func refusesMismatchedShapesAndBadSettings() throws {
        let x = Tensor(shape: [1, 1, 8, 8], repeating: 0.5)
        #expect(throws: TensorError.self) { try x.structuralSimilarityMap(Tensor(shape: [1, 1, 8, 9], repeating: 0), .gaussian(dataRange: 1)) }
        #expect(throws: TensorError.self) { try x.structuralSimilarityMap(x, .gaussian(dataRange: 0)) }
        #expect(throws: TensorError.self) { try x.structuralSimilarity(x, .gaussian(dataRange: 1)) }   // 8 px, 11-tap window
    }
}
