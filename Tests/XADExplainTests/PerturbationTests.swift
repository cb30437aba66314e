import Testing
import XADDetect
import XADTensor
@testable import XADExplain

/// The explained target is the mean of the test detector's map over rows/columns 16..<32 of the
/// prepared image (model size 64). On an all-ones image with a constant-0 baseline every kept pixel there contributes
/// +1 and every removed one -1 (after the mean = std = 0.5 normalisation), so the exact
/// attributions follow by hand.
@Suite("Perturbation explainers")
struct PerturbationTests {
    let detector = RegionMeanDetector(rows: 16..<32, columns: 16..<32)
    let ones = Tensor.ones([1, 3, 64, 64])
    let region = ExplanationTarget.region(x1: 16, y1: 16, x2: 32, y2: 32)

    @Test func occlusionCreditsExactlyTheScoredRegion() throws {
        // Windows of 8 at stride 8 tile the image once; a window inside the region removes 64 of
        // its 256 pixels, dropping the score by 64 · 2 / 256 = 0.5. tolerance: 1e-6 absolute.
        let explanation = try Occlusion(window: 8, stride: 8, baseline: .constant(0))
            .explain(detector, image: ones, target: region)
        #expect(explanation.map.shape == [64, 64])
        #expect(explanation.targetValue == 1)
        let map = explanation.map.scalars
        for y in 0..<64 {
            for x in 0..<64 {
                let expected: Float = (16..<32).contains(y) && (16..<32).contains(x) ? 0.5 : 0
                #expect(abs(map[y * 64 + x] - expected) < 1e-6, "pixel (\(y), \(x))")
            }
        }
    }

    @Test func occlusionMapComesBackAtTheImageSize() throws {
        // A 128 x 128 image is explained at the model's 64 x 64 and the map upsampled bilinearly;
        // the target is read on anomaly maps upsampled to 128, where bilinear interpolation lets
        // windows next to the region leak a little across its edge. tolerance: 0.05 inside,
        // 1e-6 far away.
        let explanation = try Occlusion(window: 8, stride: 8, baseline: .constant(0))
            .explain(detector, image: Tensor.ones([1, 3, 128, 128]), target: .region(x1: 32, y1: 32, x2: 64, y2: 64))
        #expect(explanation.map.shape == [128, 128])
        #expect(abs(explanation.map[48, 48] - 0.5) < 0.05)
        #expect(abs(explanation.map[100, 10]) < 1e-6)
    }

    @Test func windowStartsReachTheFarEdge() {
        #expect(Occlusion.starts(length: 64, window: 8, stride: 8) == [0, 8, 16, 24, 32, 40, 48, 56])
        #expect(Occlusion.starts(length: 20, window: 8, stride: 5) == [0, 5, 10, 12])
    }

    @Test func riseConcentratesOnTheRegionAndIsSeeded() throws {
        // The far corner is independent of the region, so its expected saliency is
        // E[f] = 2p - 1 = 0; inside, the kept pixels raise f. Monte Carlo noise at 400 masks is
        // about 0.03, so the bounds are loose.
        let rise = RISE(maskCount: 400, gridSize: 8, baseline: .constant(0), seed: 3)
        let map = try rise.explain(detector, image: ones, target: region).map
        let inside = mean(map, rows: 16..<32, columns: 16..<32), corner = mean(map, rows: 48..<64, columns: 48..<64)
        #expect(inside > 0.1)   // about 0.17 in expectation (NumPy simulation of the same masks)
        #expect(abs(corner) < 0.06)
        let again = try rise.explain(detector, image: ones, target: region).map
        #expect(again.scalars == map.scalars)
        var other = rise
        other.options.seed = 4
        #expect(try other.explain(detector, image: ones, target: region).map.scalars != map.scalars)
    }

    @Test func kernelSHAPRecoversExactShapleyValuesOfALinearScore() throws {
        // For a linear score the Shapley value of superpixel j is its own contribution:
        // 2 · |Sⱼ ∩ region| / |region|; the regression recovers it exactly and the values sum to
        // f(x) - f(baseline) = 2. tolerance: 1e-4 absolute (Float32 scores, Float64 solve).
        let explanation = try KernelSHAP(superpixels: SLIC(segments: 16), samples: 200, baseline: .constant(0))
            .explain(detector, image: ones, target: region)
        let labels = try #require(explanation.images["superpixels"]).scalars.map { Int($0) }
        let count = try #require(explanation.values["superpixels"])
        #expect(count >= 8 && count <= 32)
        var overlap = [Int](repeating: 0, count: Int(count))
        for y in 16..<32 { for x in 16..<32 { overlap[labels[y * 64 + x]] += 1 } }
        let map = explanation.map.scalars
        var phiSum = 0.0
        for label in 0..<Int(count) {
            guard let pixel = labels.firstIndex(of: label) else { continue }
            let expected = Float(2 * overlap[label]) / 256
            #expect(abs(map[pixel] - expected) < 1e-4, "superpixel \(label)")
            phiSum += Double(map[pixel])
        }
        #expect(abs(phiSum - 2) < 1e-4)
        #expect(explanation.values["baseValue"] == -1)
    }

    @Test func badTargetsAndOptionsAreClearErrors() {
        #expect(throws: ExplainerError.self) {
            try Occlusion().explain(detector, image: ones, target: .region(x1: 10, y1: 10, x2: 80, y2: 20))
        }
        #expect(throws: ExplainerError.self) { try Occlusion().explain(detector, image: ones, target: .topK(0)) }
        #expect(throws: ExplainerError.invalidInput("the image has non-finite values (NaN or infinity)")) {
            try Occlusion().explain(detector, image: Tensor(shape: [1, 3, 64, 64], repeating: .nan), target: region)
        }
        #expect(throws: ExplainerError.self) { try Occlusion(window: 100).explain(detector, image: ones, target: region) }
        let probability = #expect(throws: OptionError.self) { try RISE(keepProbability: 1).explain(detector, image: ones, target: region) }
        #expect(probability?.description.contains("keepProbability") == true)
        let shape = #expect(throws: ExplainerError.self) {
            try KernelSHAP().explain(detector, image: Tensor.ones([3, 64, 64]), target: region)
        }
        #expect(shape?.invalidInputMessage?.contains("[1, C, H, W]") == true)
    }

    private func mean(_ map: Tensor, rows: Range<Int>, columns: Range<Int>) -> Float {
        var sum: Float = 0
        for y in rows { for x in columns { sum += map[y, x] } }
        return sum / Float(rows.count * columns.count)
    }
}
