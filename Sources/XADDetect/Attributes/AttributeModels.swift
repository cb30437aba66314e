import Foundation
import XADImage
import XADMetrics
import XADTensor

/// A training object's place: which training clip (index into the model's clip names), which
/// frame, which box.
struct TrainingObjectReference: Sendable, Equatable {
    var clip: Int
    var frame: Int
    var box: PixelBox
}

/// Every object measured in the training clips, flattened, with the clip each came from.
struct TrainingObjects {
    var objects: [MeasuredObject] = []
    var references: [TrainingObjectReference] = []
    /// The training clip of each object, for leave-one-video-out calibration.
    var video: [Int] { references.map(\.clip) }
    var count: Int { objects.count }

    init(clips: [[MeasuredObject]]) {
        for (clip, found) in clips.enumerated() {
            objects += found
            references += found.map { TrainingObjectReference(clip: clip, frame: $0.frame, box: $0.box) }
        }
    }
}

/// One attribute's calibration `s' = (s - low) / (high - low)`, and the range of its measured
/// value over normal training objects (for explanations).
struct Calibration: Sendable, Equatable {
    var low: Float
    var high: Float
    var normalRange: ClosedRange<Float>

    func callAsFunction(_ raw: Float) -> Float { (raw - low) / Swift.max(high - low, 1e-6) }

    static func savedTensor(_ calibrations: [Calibration]) -> Tensor {
        Tensor(shape: [calibrations.count, 4]) { out in
            for (i, c) in calibrations.enumerated() {
                (out[4 * i], out[4 * i + 1], out[4 * i + 2], out[4 * i + 3]) = (c.low, c.high, c.normalRange.lowerBound, c.normalRange.upperBound)
            }
        }
    }

    static func restored(_ tensor: Tensor?, count: Int) throws -> [Calibration] {
        guard let values = tensor?.scalars, tensor?.shape == [count, 4], values.allSatisfy(\.isFinite),
              (0..<count).allSatisfy({ values[4 * $0 + 2] <= values[4 * $0 + 3] }) else {
            throw DetectorError.invalidInput("the saved calibration is missing or is not \(count) rows of 4 finite numbers")
        }
        return (0..<count).map { Calibration(low: values[4 * $0], high: values[4 * $0 + 1], normalRange: values[4 * $0 + 2]...values[4 * $0 + 3]) }
    }
}

/// The learnt normality of the chosen attributes: mixtures for shape and (with
/// `velocityModel` `mixture`) velocity, the training objects' appearance features for the
/// nearest-neighbour search, and the typical object's size.
struct AttributeModels: Sendable {
    var velocity: GaussianMixture?
    var shape: GaussianMixture?
    var appearance: NearestNeighbours?
    /// Where each appearance bank row came from.
    var bankReferences: [TrainingObjectReference]
    /// The median area of the training objects at the reference row, in pixels: smaller objects
    /// are down-weighted as fragments (``Attributes/Options/fragmentWeighting``).
    var typicalArea: Float
    var options: Attributes.Options

    /// What the models say about some objects: per chosen attribute, each object's raw score and
    /// measured value; and each object's nearest training object (appearance bank row), if searched.
    struct Scores {
        var raw: [[Float]]
        var values: [[Float]]
        var nearest: [Int]?
    }

    static let velocityDimension = 8, shapeDimension = 2

    static func velocityFeatures(_ objects: [MeasuredObject], _ perspective: Perspective) -> [Double] {
        objects.flatMap { object in object.velocity.map { Double($0 * perspective.factor(for: object.box)) } }
    }

    /// `log` of the box's height and width at the reference row.
    static func shapeFeatures(_ objects: [MeasuredObject], _ perspective: Perspective) -> [Double] {
        objects.flatMap { object in
            let factor = perspective.factor(for: object.box)
            return [log(Double(Float(object.box.height) * factor)), log(Double(Float(object.box.width) * factor))]
        }
    }

    /// The measured value each attribute reports: speed, nearest distance, height (reference row).
    static func values(_ attribute: Attributes.Attribute, _ objects: [MeasuredObject], _ perspective: Perspective,
                       distances: [Float]) -> [Float] {
        switch attribute {
        case .velocity: objects.map { $0.speed * perspective.factor(for: $0.box) }
        case .appearance: distances
        case .shape: objects.map { Float($0.box.height) * perspective.factor(for: $0.box) }
        }
    }

    /// `area` at the reference row.
    static func areas(_ objects: [MeasuredObject], _ perspective: Perspective) -> [Float] {
        objects.map { object in object.area * perspective.factor(for: object.box) * perspective.factor(for: object.box) }
    }

    /// Each object's weight as a possible fragment, `min(1, area / typicalArea)` (all 1 without
    /// ``Attributes/Options/fragmentWeighting``).
    func fragmentWeights(_ objects: [MeasuredObject], perspective: Perspective) -> [Float] {
        guard options.fragmentWeighting else { return objects.map { _ in 1 } }
        return Self.areas(objects, perspective).map { Swift.min(1, $0 / Swift.max(typicalArea, 1)) }
    }

    /// Raw scores of `objects`: the speed at the reference row or `-log p` under the mixtures,
    /// the mean distance to the nearest appearance rows.
    func scores(_ objects: [MeasuredObject], perspective: Perspective) throws -> Scores {
        var scores = Scores(raw: [], values: [], nearest: nil)
        var distances: [Float] = []
        for attribute in options.chosen {
            var raw: [Float]
            switch attribute {
            case .velocity where options.velocityModel == "speed":
                raw = Self.values(.velocity, objects, perspective, distances: [])
            case .velocity:
                raw = try Self.negativeLogLikelihoods(velocity, Self.velocityFeatures(objects, perspective))
            case .shape:
                raw = try Self.negativeLogLikelihoods(shape, Self.shapeFeatures(objects, perspective))
            case .appearance:
                guard let appearance else { throw DetectorError.invalidInput("the model has no appearance features") }
                let found = try Self.meanDistances(appearance, objects, k: options.neighbours)
                (raw, distances, scores.nearest) = (found.mean, found.mean, found.nearest)
            }
            scores.raw.append(raw)
            scores.values.append(Self.values(attribute, objects, perspective, distances: distances))
        }
        return scores
    }

    private static func negativeLogLikelihoods(_ mixture: GaussianMixture?, _ features: [Double]) throws -> [Float] {
        guard let mixture else { throw DetectorError.invalidInput("the model has no mixture for a chosen attribute") }
        return try mixture.logLikelihoods(of: features).map { Float(-$0) }
    }

    /// Mean distance of each object's appearance to its `k` nearest bank rows, and the nearest row.
    static func meanDistances(_ bank: NearestNeighbours, _ objects: [MeasuredObject], k: Int) throws -> (mean: [Float], nearest: [Int]) {
        guard !objects.isEmpty else { return ([], []) }
        let dimension = bank.bank.shape[1]
        guard objects.allSatisfy({ $0.appearance.count == dimension }) else {
            throw DetectorError.invalidInput("objects' appearance features do not have the model's \(dimension) channels")
        }
        let queries = try Tensor(shape: [objects.count, dimension], scalars: objects.flatMap(\.appearance))
        let found = try bank.search(queries, k: k)
        let kept = Swift.min(k, bank.count)
        return ((0..<objects.count).map { q in found.distances[(q * kept)..<((q + 1) * kept)].reduce(0, +) / Float(kept) },
                (0..<objects.count).map { found.indices[$0 * kept] })
    }

    // MARK: Saving

    var savedTensors: [String: Tensor] {
        var tensors: [String: Tensor] = ["typical_area": Tensor(shape: [1]) { $0[0] = typicalArea }]
        tensors["velocity_mixture"] = velocity?.savedTensor
        tensors["shape_mixture"] = shape?.savedTensor
        if let appearance {
            tensors["appearance_bank"] = appearance.bank
            tensors["appearance_references"] = Tensor(shape: [bankReferences.count, 6]) { out in
                for (i, r) in bankReferences.enumerated() {
                    for (j, value) in [r.clip, r.frame, r.box.x, r.box.y, r.box.width, r.box.height].enumerated() { out[6 * i + j] = Float(value) }
                }
            }
        }
        return tensors
    }

    init(velocity: GaussianMixture?, shape: GaussianMixture?, appearance: NearestNeighbours?,
         bankReferences: [TrainingObjectReference], typicalArea: Float, options: Attributes.Options) {
        (self.velocity, self.shape, self.appearance, self.bankReferences) = (velocity, shape, appearance, bankReferences)
        (self.typicalArea, self.options) = (typicalArea, options)
    }

    init(restoring tensors: [String: Tensor], options: Attributes.Options, clipCount: Int) throws {
        let chosen = options.chosen
        func mixture(_ key: String, _ attribute: Attributes.Attribute, _ dimension: Int) throws -> GaussianMixture? {
            guard chosen.contains(attribute), attribute != .velocity || options.velocityModel == "mixture" else { return nil }
            guard let tensor = tensors[key] else { throw DetectorError.invalidInput("the saved model has no \(key)") }
            return try GaussianMixture(saved: tensor, dimension: dimension)
        }
        var bank: NearestNeighbours?
        var references: [TrainingObjectReference] = []
        if chosen.contains(.appearance) {
            guard let features = tensors["appearance_bank"], let saved = tensors["appearance_references"],
                  features.rank == 2, saved.shape == [features.shape[0], 6],
                  let numbers = SavedIntegers.decode(saved.scalars, below: SavedIntegers.limit),
                  (0..<features.shape[0]).allSatisfy({ numbers[6 * $0] < clipCount }) else {
                throw DetectorError.invalidInput("the saved appearance bank or its references are missing or do not match")
            }
            bank = try NearestNeighbours(bank: features)
            references = (0..<features.shape[0]).map { i in
                TrainingObjectReference(clip: numbers[6 * i], frame: numbers[6 * i + 1],
                                        box: PixelBox(x: numbers[6 * i + 2], y: numbers[6 * i + 3], width: numbers[6 * i + 4], height: numbers[6 * i + 5]))
            }
        }
        guard let area = tensors["typical_area"]?.scalars, area.count == 1, area[0].isFinite, area[0] > 0 else {
            throw DetectorError.invalidInput("the saved model has no positive typical_area")
        }
        self.init(velocity: try mixture("velocity_mixture", .velocity, Self.velocityDimension),
                  shape: try mixture("shape_mixture", .shape, Self.shapeDimension),
                  appearance: bank, bankReferences: references, typicalArea: area[0], options: options)
    }
}
