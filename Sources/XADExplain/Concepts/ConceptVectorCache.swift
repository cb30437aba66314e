import Foundation
import Synchronization
import XADDetect
import XADTensor

/// The concept folders one ``TCAV`` value has read and the vectors it has trained, reused by its
/// later calls (copies of the value share them).
///
/// Vectors depend on the detector only through the backbone activations, so they are keyed by
/// folder, options and tap, and each reuse first recomputes the pooled activation of the folder's
/// first concept image: the vectors trained on activations that agree with it are reused, and if
/// none do (another backbone, preprocessing or randomised weights) they are trained and kept
/// beside the others. So a randomisation check that alternates between the model and its
/// randomised levels trains each level's vectors once, and a level whose randomised layers lie
/// above the tap reuses the model's. At most ``variantsPerKey`` variants are kept per key (the
/// oldest is dropped).
final class ConceptVectorCache: Sendable {
    private struct SetsKey: Hashable {
        var folder: URL
        var randomSetCount: Int
        var seed: UInt64
    }

    private struct VectorsKey: Hashable {
        var sets: SetsKey
        var layer: String
        var inverseRegularisation: Double
    }

    private struct Trained {
        /// The pooled activation of the first concept image when the vectors were trained.
        var probe: [Float]
        var vectors: ConceptActivationVectors
    }

    private struct State {
        var sets: [SetsKey: ConceptSets] = [:]
        var vectors: [VectorsKey: [Trained]] = [:]
        var trainings = 0
    }

    /// The most activation variants (the model and its randomised levels) kept per key.
    static let variantsPerKey = 8

    private let state = Mutex(State())

    /// How many times vectors were trained (for tests: a reuse does not count).
    var trainings: Int { state.withLock { $0.trainings } }

    /// The vectors of `folder` at `layer` of `detector`, from the cache when still valid.
    func vectors(folder: URL, layer: String, detector: any DifferentiableDetector, randomSetCount: Int, seed: UInt64,
                 inverseRegularisation: Double) throws -> ConceptActivationVectors {
        try state.withLock { state -> ConceptActivationVectors in
            let setsKey = SetsKey(folder: folder.standardizedFileURL, randomSetCount: randomSetCount, seed: seed)
            let sets = try state.sets[setsKey] ?? ConceptSets(folder: folder, randomSetCount: randomSetCount, seed: seed)
            state.sets[setsKey] = sets
            guard let probeImage = sets.concepts.first?.images.first else { throw ConceptError.noConcepts(folder) }
            let probe = try ConceptActivationVectors.pooledActivations(of: [probeImage], detector: detector, layer: layer).scalars
            let key = VectorsKey(sets: setsKey, layer: layer, inverseRegularisation: inverseRegularisation)
            if let trained = state.vectors[key]?.first(where: { FeatureProbe.agree($0.probe, probe) }) { return trained.vectors }
            let vectors = try ConceptActivationVectors(training: sets, detector: detector, layer: layer,
                                                       inverseRegularisation: inverseRegularisation)
            state.vectors[key, default: []].append(Trained(probe: probe, vectors: vectors))
            if let kept = state.vectors[key], kept.count > Self.variantsPerKey { state.vectors[key] = Array(kept.suffix(Self.variantsPerKey)) }
            state.trainings += 1
            return vectors
        }
    }
}

/// How the explainers' caches check that stored activations still belong to the detector: one
/// image's activations recomputed now against the stored ones.
enum FeatureProbe {
    /// Equal up to float32 noise from a different summation order or batch size (1e-4 of the
    /// largest value).
    static func agree(_ a: [Float], _ b: [Float]) -> Bool {
        guard a.count == b.count else { return false }
        let scale = Swift.max(b.map(abs).max() ?? 0, 1e-6)
        return zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * scale }
    }
}
