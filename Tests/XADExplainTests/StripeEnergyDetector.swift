import Foundation
import XADDetect
import XADImage
import XADModels
import XADTensor

/// A test-only differentiable detector whose score rises with vertical stripes, by construction.
///
/// Its one tap, `edges` (`[N, 4, 6, 6]` for 32 x 32 input), is the 5 x 5 average of squared 3 x 3
/// filter responses (unpadded, so the image border adds no edges): 0 horizontal difference of gray (vertical stripes), 1 brightness, 2 red minus
/// blue, 3 vertical difference of gray. The map is channel 0 upsampled (bilinear) to the input,
/// and the score its maximum, so `∂score/∂edges` is nonzero on channel 0 only and moving every
/// position of channel 0 by `ε` moves the score by exactly `ε`.
struct StripeEnergyDetector: DifferentiableDetector {
    typealias Options = NoOptions
    static let name = "stripe-energy"
    static let defaultLayers = ["edges"]
    static let summary = "test score: energy of horizontal gray differences"
    static let size = 32
    let setup = DetectorSetup(layers: ["edges"], preprocessing: Preprocessing(imageSize: Size2(size), mean: [0, 0, 0], std: [1, 1, 1]))
    let options = Options()

    init() {}

    static let traits = DetectorTraits(needsBackbone: false)

    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {}

    static func fit(_ context: FitContext, options: Options) throws -> StripeEnergyDetector {
        StripeEnergyDetector()
    }

    var fittedTensors: [String: Tensor] { [:] }

    /// `[4, 3, 3, 3]`: the four filters above.
    static let filters = Tensor(shape: [4, 3, 3, 3]) { out in
        for i in 0..<out.count { out[i] = 0 }
        func set(_ o: Int, _ c: Int, _ y: Int, _ x: Int, _ value: Float) { out[((o * 3 + c) * 3 + y) * 3 + x] = value }
        for c in 0..<3 {
            set(0, c, 1, 0, -1 / 3)
            set(0, c, 1, 1, 1 / 3)
            for y in 0..<3 { for x in 0..<3 { set(1, c, y, x, 1 / 27) } }
            set(3, c, 0, 1, -1 / 3)
            set(3, c, 1, 1, 1 / 3)
        }
        set(2, 0, 1, 1, 1)
        set(2, 2, 1, 1, -1)
    }

    func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let activation = try batch.conv2d(Self.filters).squared().avgPool2d(kernel: Size2(5))
        let (count, height, width) = (batch.shape[0], batch.shape[2], batch.shape[3])
        let map = try activation.sliced(axis: 1, range: 0..<1).resized(to: Size2(height: height, width: width), mode: .bilinear)
            .reshaped([count, height, width])
        return DifferentiableOutput(map: map, activations: ["edges": activation])
    }

    func score(batch: Tensor) throws -> [AnomalyResult] { try scoredThroughForward(batch: batch, grid: Size2(6)) }
}

/// Seeded 32 x 32 test images for concepts: smooth colour waves, and the same with vertical stripes.
enum ConceptImages {
    static let size = StripeEnergyDetector.size

    /// Smooth low-frequency colour waves plus a little noise, in 0...1.
    static func smooth(seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let base = (0..<3).map { _ in 0.3 + 0.4 * generator.nextUnitFloat() }
        let (fx, fy) = (0.05 + 0.2 * generator.nextUnitFloat(), 0.05 + 0.2 * generator.nextUnitFloat())
        let phase = 6 * generator.nextUnitFloat()
        return Tensor(shape: [1, 3, size, size]) { out in
            for c in 0..<3 { for y in 0..<size { for x in 0..<size {
                let wave = 0.15 * _sin(Float(x) * fx + phase + Float(c)) * _cos(Float(y) * fy)
                out[(c * size + y) * size + x] = Swift.min(Swift.max(base[c] + wave + 0.02 * generator.nextUnitFloat(), 0), 1)
            } } }
        }
    }

    /// `smooth(seed:)` with vertical stripes (period 2 to 4 pixels, amplitude 0.2) inside `rows`
    /// and `columns`.
    static func striped(seed: UInt64, rows: Range<Int> = 0..<size, columns: Range<Int> = 0..<size) -> Tensor {
        var image = smooth(seed: seed)
        let period = 2 + Int(seed % 3)
        image.withUnsafeMutableBufferPointer { out in
            for c in 0..<3 { for y in rows { for x in columns {
                let index = (c * size + y) * size + x
                out[index] = Swift.min(Swift.max(out[index] + ((x / period) % 2 == 0 ? 0.2 : -0.2), 0), 1)
            } } }
        }
        return image
    }

    /// Writes `images` as PNGs into `folder/name/`.
    static func write(_ images: [Tensor], to folder: URL, name: String) throws {
        let set = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: set, withIntermediateDirectories: true)
        for (index, image) in images.enumerated() {
            try Image(tensor: image).write(to: set.appendingPathComponent(String(format: "%03d.png", index)))
        }
    }

    /// A concept folder: `stripes` (8 striped images), `lookalike` (8 smooth images drawn like
    /// the random ones) and `random` (50 smooth images: 10 random sets of 5), in a new temporary
    /// folder.
    static func folder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xad-concepts-\(UUID().uuidString)")
        try write((0..<8).map { striped(seed: 100 + $0) }, to: root, name: "stripes")
        try write((0..<8).map { smooth(seed: 200 + $0) }, to: root, name: "lookalike")
        try write((0..<50).map { smooth(seed: 300 + $0) }, to: root, name: "random")
        return root
    }

    /// A smooth image with stripes in rows 8..<20, columns 10..<22.
    static var test: Tensor { striped(seed: 7, rows: 8..<20, columns: 10..<22) }
}
