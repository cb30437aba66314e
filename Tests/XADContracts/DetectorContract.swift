import Foundation
import XADDetect
import XADImage
import XADModels
import XADTensor

/// What every registered detector must do, checked on a tiny synthetic set: fit on normal images,
/// score with finite maps at the input's size, save and load with the same scores, and document
/// every option. A new detector passes these checks by being registered; the contract tests walk
/// the registry.
public enum DetectorContract {
    /// The side of the synthetic images the detectors are fitted on.
    public static let imageSide = 64

    /// Normal synthetic images: a smooth ramp with a little seeded noise, `[1, 3, side, side]`.
    public static func normalImages(count: Int = 6, seed: UInt64 = 1) throws -> [Tensor] {
        var generator = SeededGenerator(seed: seed)
        let side = imageSide
        return try (0..<count).map { _ in
            var pixels = [Float](repeating: 0, count: 3 * side * side)
            for c in 0..<3 { for y in 0..<side { for x in 0..<side {
                let ramp = 0.3 + 0.4 * Float(x + y) / Float(2 * side) + 0.05 * Float(c)
                pixels[(c * side + y) * side + x] = ramp + Float.random(in: 0..<0.05, using: &generator)
            } } }
            return try Tensor(shape: [1, 3, side, side], scalars: pixels)
        }
    }

    /// A normal image (resized to `size`) with a saturated red square: an anomaly any detector
    /// should notice.
    public static func anomalousImage(size: Size2 = Size2(imageSide)) throws -> Tensor {
        var pixels = try normalImages(count: 1, seed: 99)[0].resized(to: size, mode: .bilinear).scalars
        let side = Swift.max(4, Swift.min(size.height, size.width) / 4)
        let (top, left) = (size.height / 3, size.width / 3)
        for c in 0..<3 { for y in top..<(top + side) { for x in left..<(left + side) {
            pixels[(c * size.height + y) * size.width + x] = c == 0 ? 1 : 0
        } } }
        return try Tensor(shape: [1, 3, size.height, size.width], scalars: pixels)
    }

    /// The setup the contract fits with: the detector's default layers at ``imageSide``.
    public static func setup(for type: any AnomalyDetector.Type) -> DetectorSetup {
        DetectorSetup(backbone: type.traits.needsBackbone ? "efficientnet-lite0" : DetectorSetup.noBackbone,
                      layers: type.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(imageSide)))
    }

    /// `type` fitted with default options on ``normalImages(count:seed:)``.
    public static func fitted(_ type: any AnomalyDetector.Type) throws -> any AnomalyDetector {
        try fit(type)
    }

    private static func fit<D: AnomalyDetector>(_ type: D.Type) throws -> D {
        let setup = setup(for: type)
        let backbone = type.traits.needsBackbone ? try Backbones.load(setup.backbone) : nil
        let context = FitContext(images: InMemoryImages(try normalImages()), setup: setup, backbone: backbone)
        return try D.fit(context, options: D.Options())
    }

    /// Runs every check on `type`; throws ``ContractViolation`` naming the first one broken.
    public static func check(_ type: any AnomalyDetector.Type) throws {
        try checkDescription(of: type)
        let model = try fitted(type)
        let name = type.name
        let anomalous = try anomalousImage()
        let odd = try anomalousImage(size: Size2(height: 48, width: 80))
        let results = try model.score(images: [try normalImages(count: 1, seed: 7)[0], anomalous, odd])
        try require(results.count == 3, "\(name): 3 images gave \(results.count) results")
        try require(results[0].map.shape == [imageSide, imageSide] && results[2].map.shape == [48, 80],
                    "\(name): maps \(results.map(\.map.shape)) are not at the images' sizes")
        for result in results {
            try require(result.score.isFinite && result.map.scalars.allSatisfy(\.isFinite), "\(name): a score or map is not finite")
        }
        try require(results[1].score > results[0].score,
                    "\(name): the image with a bright square scored \(results[1].score), not above the normal image's \(results[0].score)")
        try checkSaveAndLoad(model, scores: results)
    }

    /// The options round-trip through JSON, and `help` documents every option the defaults encode.
    public static func checkDescription(of type: any AnomalyDetector.Type) throws {
        let description = type.methodDescription
        try require(!description.summary.isEmpty, "\(type.name): no summary")
        try checkOptions(of: type)
    }

    private static func checkOptions<D: AnomalyDetector>(of type: D.Type) throws {
        try OptionsContract.check(D.Options.self, method: D.name)
    }

    private static func checkSaveAndLoad(_ model: any AnomalyDetector, scores results: [AnomalyResult]) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).xadm")
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model, threshold: 1.5).write(to: url)
        let restored = try SavedModel.load(url)
        let name = type(of: model).name
        try require(type(of: restored.detector).name == name && restored.threshold == 1.5, "\(name): the model did not load as saved")
        let again = try restored.detector.score(images: [try normalImages(count: 1, seed: 7)[0], try anomalousImage()])
        for (before, after) in zip(results, again) {
            try require(abs(before.score - after.score) <= 1e-5 * Swift.max(1, abs(before.score)),
                        "\(name): score \(before.score) became \(after.score) after save and load")
            let difference = try (before.map - after.map).abs().max().scalar ?? .infinity
            try require(difference <= 1e-4, "\(name): the map changed by \(difference) after save and load")
        }
    }
}

/// A broken contract: which method, and what it did wrong.
public struct ContractViolation: Error, CustomStringConvertible {
    public let description: String
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ContractViolation(description: message()) }
}
