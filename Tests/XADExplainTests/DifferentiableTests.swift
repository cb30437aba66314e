import Testing
import XADDetect
import XADExplain
import XADImage
import XADModels
import XADTensor
import XADTestSupport

/// Small fitted models shared by the explainer tests: EfficientNet-Lite0 at 64 x 64, fitted on a
/// few seeded smooth images.
enum ExplainTestModels {
    static let backbone: Result<EfficientNetLite, Error> = Result { try EfficientNetLite.pretrained(.lite0) }
    static let setup = DetectorSetup(layers: ["stage1", "stage2"], preprocessing: Preprocessing(imageSize: Size2(64)))

    /// A seeded `[1, 3, size, size]` image in 0...1: smooth waves plus a little noise.
    static func image(seed: UInt64, height: Int = 64, width: Int = 64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let phase = Float(seed % 7)
        return Tensor(shape: [1, 3, height, width]) { out in
            for c in 0..<3 { for y in 0..<height { for x in 0..<width {
                let wave = 0.5 + 0.3 * _sin(Float(x) * 0.3 + phase + Float(c)) * _cos(Float(y) * 0.2)
                out[(c * height + y) * width + x] = Swift.min(Swift.max(wave + 0.1 * generator.nextUnitFloat(), 0), 1)
            } } }
        }
    }

    static var training: InMemoryImages { InMemoryImages((0..<6).map { image(seed: UInt64($0)) }) }

    /// An image with a bright square the training images never had.
    static var anomalous: Tensor {
        var x = image(seed: 40)
        x.withUnsafeMutableBufferPointer { out in
            for c in 0..<3 { for y in 20..<32 { for i in 36..<48 { out[(c * 64 + y) * 64 + i] = c == 0 ? 1 : 0 } } }
        }
        return x
    }

    static func padim() throws -> PaDiM {
        var options = PaDiM.Options()
        options.channels = 24
        options.sigma = 2
        return try PaDiM.fit(on: training, setup: setup, options: options, backbone: backbone.get(), progress: nil)
    }

    static func patchCore() throws -> PatchCore {
        var options = PatchCore.Options()
        options.coresetRatio = 0.25
        options.sigma = 2
        return try PatchCore.fit(on: training, setup: DetectorSetup(layers: ["stage2", "stage3"], preprocessing: setup.preprocessing),
                                 options: options, backbone: backbone.get(), progress: nil)
    }
}

@Suite("Differentiable detectors")
struct DifferentiableTests {
    // tolerance: 1e-4 relative, 1e-4 absolute. PaDiM: the Mahalanobis form runs through sgemm in
    // the recorded path and a plain loop in score(batch:); PatchCore: |x - m|² is summed directly
    // here and as |x|² + |m|² - 2 x·m in the search. Float32 sums differ in order.
    @Test(arguments: ["padim", "patchcore"])
    func recordedMapEqualsScoredMap(detector: String) throws {
        let model: any DifferentiableDetector = detector == "padim" ? try ExplainTestModels.padim() : try ExplainTestModels.patchCore()
        let batch = try model.setup.preprocessing(ExplainTestModels.anomalous)
        let scored = try model.score(batch: batch)[0].map
        let tape = GradientTape()
        let recorded = try model.differentiableForward(batch: tape.watch(batch))
        #expect(recorded.map.isTracked)
        #expect(toleranceRatio(try recorded.map.reshaped([64, 64]), scored, absolute: 1e-4, relative: 1e-4) <= 1)
        #expect(recorded.activations["stage2"]?.shape == [1, 40, 8, 8])
    }

    // Central differences of the mean of the map over a region at a few input elements, eps 5e-4
    // on the normalised input. tolerance: 8 % of the largest compared gradient (float32
    // differences; ReLU6 kinks within a step bend them).
    @Test func padimInputGradientMatchesFiniteDifferences() throws {
        let model = try ExplainTestModels.padim()
        let batch = try model.setup.preprocessing(ExplainTestModels.anomalous)
        let target = ExplanationTarget.region(x1: 30, y1: 16, x2: 50, y2: 36)
        func value(_ x: Tensor) throws -> Float {
            try target.values(of: model.differentiableForward(batch: x).map).scalars[0]
        }
        let tape = GradientTape()
        let input = tape.watch(batch)
        let gradient = try tape.gradient(of: target.values(of: model.differentiableForward(batch: input).map).sum(), withRespectTo: input)
        let elements = [(0, 26, 42), (1, 30, 44), (2, 18, 36), (0, 40, 20)]
        var analytic: [Float] = [], numeric: [Float] = []
        for (c, y, x) in elements {
            let index = (c * 64 + y) * 64 + x
            var plus = batch, minus = batch
            plus.withUnsafeMutableBufferPointer { $0[index] += 5e-4 }
            minus.withUnsafeMutableBufferPointer { $0[index] -= 5e-4 }
            numeric.append((try value(plus) - value(minus)) / 1e-3)
            analytic.append(gradient.scalars[index])
        }
        let scale = analytic.map(abs).max() ?? 0
        #expect(scale > 0)
        for (a, n) in zip(analytic, numeric) { #expect(abs(a - n) <= 0.08 * scale, "analytic \(a), numeric \(n)") }
    }
}
