import XADTensor

/// How an image's explanation target responds to a concept, and whether that differs from how it
/// responds to random directions.
///
/// With `G = ∂target/∂A` at the tap (`[1, K, h, w]`) and a concept activation vector `v`, the
/// sensitivity is the directional derivative `S = Σ_ij Σ_k G_kij v_k`: the rate at which the
/// target changes when the activation at every position moves along `v`, i.e. when the spatial
/// mean the vector was trained on moves along it. Positions are summed, not averaged, so `S` is
/// that derivative itself; averaging would only divide every `S` of a layer by `h·w`.
///
/// `sensitivity` is the mean over the concept's vectors (one per random set); the p-value is
/// Student's two-sided t-test of those sensitivities against the random-vs-random vectors'
/// (``ConceptActivationVectors/random``).
public struct ConceptSensitivity: Sendable, Equatable {
    /// The concept.
    public var concept: String
    /// The mean directional derivative over the concept's vectors.
    public var sensitivity: Double
    /// One directional derivative per concept vector (per random set).
    public var conceptSensitivities: [Double]
    /// One directional derivative per random-vs-random vector.
    public var randomSensitivities: [Double]
    /// The t-test of the two.
    public var test: StudentTTest

    /// The two-sided p-value of ``test``.
    public var pValue: Double { test.pValue }

    /// Whether the concept's sensitivities differ from random ones at level `alpha`.
    public func isSignificant(alpha: Double = 0.05) -> Bool { pValue < alpha }
}

/// TCAV's score of a concept over a set of images: the share of images whose target rises along
/// the concept (`S > 0`), per concept vector; tested against the same share for the
/// random-vs-random vectors.
public struct TCAVScore: Sendable, Equatable {
    /// The concept.
    public var concept: String
    /// The mean over the concept's vectors of the share of images with `S > 0`.
    public var score: Double
    /// That share for each concept vector.
    public var conceptScores: [Double]
    /// That share for each random-vs-random vector.
    public var randomScores: [Double]
    /// The t-test of the two.
    public var test: StudentTTest

    /// The two-sided p-value of ``test``.
    public var pValue: Double { test.pValue }
}

extension ConceptActivationVectors {
    /// Every concept's sensitivity given the target's gradient at ``layer`` (`[1, K, h, w]`), in
    /// the order of ``conceptNames``.
    /// - Throws: ``ExplainerError/invalidInput(_:)`` when the gradient's channels differ from the
    ///   vectors'.
    public func sensitivities(gradient: Tensor) throws -> [ConceptSensitivity] {
        let summed = try summedGradient(gradient)
        let randomSensitivities = random.map { Self.dot(summed, $0.direction) }
        return try conceptNames.map { name in
            let values = (concepts[name] ?? []).map { Self.dot(summed, $0.direction) }
            return ConceptSensitivity(concept: name, sensitivity: values.reduce(0, +) / Double(Swift.max(values.count, 1)),
                                      conceptSensitivities: values, randomSensitivities: randomSensitivities,
                                      test: try StudentTTest(values, randomSensitivities))
        }
    }

    /// TCAV scores over images given each image's gradient at ``layer`` (`[1, K, h, w]` each).
    public func scores(gradients: [Tensor]) throws -> [TCAVScore] {
        guard !gradients.isEmpty else { throw ExplainerError.invalidInput("TCAV scores need at least one image") }
        let summed = try gradients.map(summedGradient)
        func share(_ vector: ConceptActivationVector) -> Double {
            Double(summed.filter { Self.dot($0, vector.direction) > 0 }.count) / Double(summed.count)
        }
        let randomScores = random.map(share)
        return try conceptNames.map { name in
            let values = (concepts[name] ?? []).map(share)
            return TCAVScore(concept: name, score: values.reduce(0, +) / Double(Swift.max(values.count, 1)),
                             conceptScores: values, randomScores: randomScores, test: try StudentTTest(values, randomScores))
        }
    }

    /// The directional derivative at each position, `s_ij = Σ_k G_kij v_k` with `v` the
    /// concept's ``meanDirection(of:)``, as `[h, w]`.
    public func positionalSensitivity(of concept: String, gradient: Tensor) throws -> Tensor {
        let direction = meanDirection(of: concept)
        guard gradient.rank == 4, gradient.shape[0] == 1, gradient.shape[1] == direction.count else {
            throw ExplainerError.invalidInput("the gradient at \(layer) is \(gradient.shape); the vectors of '\(concept)' have \(direction.count) channels")
        }
        let (height, width) = (gradient.shape[2], gradient.shape[3])
        return try (gradient * Tensor(shape: [1, direction.count, 1, 1], scalars: direction)).sum(axes: [0, 1]).reshaped([height, width])
    }

    /// `Σ_ij G_kij` for each channel, checked against the vectors' channel count.
    private func summedGradient(_ gradient: Tensor) throws -> [Double] {
        let channels = random.first?.direction.count ?? 0
        guard gradient.rank == 4, gradient.shape[0] == 1, gradient.shape[1] == channels else {
            throw ExplainerError.invalidInput("the gradient at \(layer) is \(gradient.shape); the concept vectors have \(channels) channels")
        }
        return try gradient.sum(axes: [0, 2, 3]).scalars.map(Double.init)
    }

    private static func dot(_ gradient: [Double], _ direction: [Float]) -> Double {
        zip(gradient, direction).reduce(0) { $0 + $1.0 * Double($1.1) }
    }
}
