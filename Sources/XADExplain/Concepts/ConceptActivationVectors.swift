import Foundation
import XADDetect
import XADTensor

/// A concept activation vector (Kim et al. 2018): the unit normal of a linear boundary between a
/// concept's activations and a random set's, pointing to the concept side.
public struct ConceptActivationVector: Sendable, Equatable {
    /// The concept (or, for a random-vs-random vector, the first random set).
    public var concept: String
    /// The random set it was told apart from.
    public var counterexamples: String
    /// `w / |w|` of the classifier, one entry per channel of the layer.
    public var direction: [Float]
    /// The classifier's accuracy on its own training examples.
    public var accuracy: Double
}

/// Every concept's activation vectors at one backbone tap: for each concept one vector per random
/// set, and random-vs-random vectors for the significance test.
///
/// Activations are averaged over positions first (`[1, K, h, w]` → `K` numbers per image). Why:
/// concept examples are crops whose concept may sit anywhere, so a position-free descriptor is
/// what they share; the classifier then has `K + 1` parameters instead of `K·h·w` (with tens of
/// examples the latter overfits and ties the concept to where it was photographed); and the same
/// direction applies at every position of a test image, which gives the map.
///
/// Before fitting, all pooled activations of the layer are divided by one number, their
/// root-mean-square deviation from the channel means, so that the classifiers' `C` means the
/// same at every layer (activation scales differ by orders of magnitude between layers); one
/// number for all channels leaves the geometry, and so the directions, as they are.
///
/// The random-vs-random vectors are those of every ordered pair of distinct random sets, as in
/// Kim et al.'s code: `R (R - 1)` of them for `R` random sets. A pair's two orders give exactly
/// opposite vectors (swapping the labels negates the logistic regression's solution), so each
/// pair is fitted once.
///
/// ```swift
/// let vectors = try ConceptActivationVectors(training: sets, detector: padim, layer: "stage3")
/// vectors.concepts["crack"]?.count   // 10, one per random set
/// vectors.random.count               // 90
/// ```
public struct ConceptActivationVectors: Sendable {
    /// The backbone tap.
    public var layer: String
    /// Each concept's vectors, one per random set, by concept name.
    public var concepts: [String: [ConceptActivationVector]]
    /// Random-vs-random vectors: what a concept's vectors are compared with.
    public var random: [ConceptActivationVector]

    /// The concept names, sorted.
    public var conceptNames: [String] { concepts.keys.sorted() }

    /// Trains the vectors of `sets` on `detector`'s activations at `layer`.
    /// - Parameters:
    ///   - sets: the concept and random example sets.
    ///   - detector: the detector whose backbone activations the vectors live in.
    ///   - layer: the backbone tap, e.g. `"stage3"`.
    ///   - inverseRegularisation: the classifiers' `C` (``LogisticRegression``). Default 1.
    /// - Throws: ``ExplainerError/invalidOption(_:)`` when the detector does not compute `layer`;
    ///   ``ExplainerError/numericalFailure(_:)`` when a concept cannot be told apart from a random
    ///   set at all.
    public init(training sets: ConceptSets, detector: any DifferentiableDetector, layer: String,
                inverseRegularisation: Double = 1) throws {
        self.layer = layer
        let allSets = sets.concepts + sets.randomSets
        let raw = try allSets.map { try Self.pooledActivations(of: $0.images, detector: detector, layer: layer) }
        let scale = try Self.rootMeanSquareDeviation(Tensor.concatenate(raw, axis: 0))
        let pooled = raw.map { $0 / scale }
        let randomPooled = Array(pooled.suffix(sets.randomSets.count))
        func vector(_ concept: String, _ positives: Tensor, against set: ConceptSet, _ negatives: Tensor) throws -> ConceptActivationVector {
            let features = try Tensor.concatenate([positives, negatives], axis: 0)
            let labels = [Bool](repeating: true, count: positives.shape[0]) + [Bool](repeating: false, count: negatives.shape[0])
            let model = try LogisticRegression(fitting: features, labels: labels, inverseRegularisation: inverseRegularisation)
            let norm = model.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else {
                throw ExplainerError.numericalFailure("concept '\(concept)' cannot be told apart from random set '\(set.name)' at \(layer): their activations have the same mean")
            }
            return ConceptActivationVector(concept: concept, counterexamples: set.name, direction: model.weights.map { Float($0 / norm) },
                                           accuracy: model.accuracy(features: features, labels: labels))
        }
        var concepts: [String: [ConceptActivationVector]] = [:]
        for (set, positives) in zip(sets.concepts, pooled) {
            concepts[set.name] = try zip(sets.randomSets, randomPooled).map { try vector(set.name, positives, against: $0, $1) }
        }
        self.concepts = concepts
        var random: [ConceptActivationVector] = []
        for i in sets.randomSets.indices {
            for j in sets.randomSets.indices where j > i {
                let forward = try vector(sets.randomSets[i].name, randomPooled[i], against: sets.randomSets[j], randomPooled[j])
                random.append(forward)
                random.append(ConceptActivationVector(concept: sets.randomSets[j].name, counterexamples: sets.randomSets[i].name,
                                                      direction: forward.direction.map { -$0 }, accuracy: forward.accuracy))
            }
        }
        self.random = random
    }

    /// `sqrt(mean over channels of the channel's variance)` of `[N, K]` rows (1 when that is 0).
    private static func rootMeanSquareDeviation(_ rows: Tensor) throws -> Float {
        let centred = try rows - rows.mean(axes: [0], keepingDimensions: true)
        let value = try centred.squared().mean().scalars.first ?? 0
        return value > 0 ? value.squareRoot() : 1
    }

    /// The spatial means of `images`' activations at `layer`, `[N, K]`, computed in batches of 8
    /// without recording gradients.
    public static func pooledActivations(of images: [Tensor], detector: any DifferentiableDetector, layer: String) throws -> Tensor {
        let batches = try stride(from: 0, to: images.count, by: 8).map { start in
            let batch = try Tensor.concatenate(images[start..<Swift.min(start + 8, images.count)].map { try detector.setup.preprocessing($0) }, axis: 0)
            let output = try detector.differentiableForward(batch: batch)
            guard let activation = output.activations[layer] else {
                throw ExplainerError.invalidOption("the detector computes no backbone tap '\(layer)'; it has \(output.activations.keys.sorted().joined(separator: ", "))")
            }
            return try activation.detached.mean(axes: [2, 3])
        }
        return try Tensor.concatenate(batches, axis: 0)
    }

    /// The normalised mean of `concept`'s vectors: the one direction the map uses.
    public func meanDirection(of concept: String) -> [Float] {
        let vectors = concepts[concept] ?? []
        guard let channels = vectors.first?.direction.count else { return [] }
        var sum = [Double](repeating: 0, count: channels)
        for vector in vectors { for k in 0..<channels { sum[k] += Double(vector.direction[k]) } }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return sum.map { Float(norm > 0 ? $0 / norm : 0) }
    }
}
