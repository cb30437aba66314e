import XADTensor

/// STFPM's loss and map on teacher and student feature maps (anomalib 2.7's `STFPMLoss` and
/// `AnomalyMapGenerator`, the paper's equations 1-3). Both compare the maps after normalising
/// each position's feature vector to unit length (`F.normalize` over channels:
/// `x / max(‖x‖₂, 1e-12)`), and both are recorded on a tape when their inputs are.
///
/// ```swift
/// let loss = try FeaturePyramidMatching.loss(teacher: [t1, t2], student: [s1, s2])
/// let map = try FeaturePyramidMatching.anomalyMap(teacher: [t1, t2], student: [s1, s2],
///                                                 size: Size2(256), combination: .product)   // [N, 256, 256]
/// ```
public enum FeaturePyramidMatching {
    /// How the per-tap maps become one map.
    public enum Combination: String, Codable, Sendable, CaseIterable {
        /// Their product (the paper's equation 3 and anomalib's `compute_anomaly_map`).
        case product
        /// Their sum.
        case sum
    }

    /// Each position's channel vector divided by its Euclidean length, floored at 1e-12
    /// (`[N, C, h, w]` in and out). The floor is taken on the squared length (1e-24) before the
    /// square root, which gives the same values and a finite gradient at a zero vector.
    public static func normalised(_ features: Tensor) throws -> Tensor {
        let length = try features.squared().sum(axes: [1], keepingDimensions: true).clamped(min: 1e-24, max: nil).sqrt()
        return try features / length
    }

    /// `0.5 · ‖n(t) - n(s)‖²` over channels at each position, `[N, 1, h, w]`: `1 - cos(t, s)`
    /// for non-zero vectors, in 0...2.
    public static func distance(teacher: Tensor, student: Tensor) throws -> Tensor {
        guard teacher.shape == student.shape, teacher.rank == 4 else {
            throw DetectorError.invalidInput("STFPM compares teacher and student maps of one shape [N, C, h, w], got \(teacher.shape) and \(student.shape)")
        }
        let difference = try normalised(teacher) - normalised(student)
        return try difference.squared().sum(axes: [1], keepingDimensions: true) * 0.5
    }

    /// The training loss `Σ_taps 0.5 / (h·w) · Σ_{n, c, i, j} (n(t) - n(s))²`: summed over the
    /// batch's images and positions, each tap divided by its number of positions (anomalib's
    /// `STFPMLoss`).
    public static func loss(teacher: [Tensor], student: [Tensor]) throws -> Tensor {
        try checkPairs(teacher, student)
        var total = Tensor(0)
        for (t, s) in zip(teacher, student) {
            let positions = Float(t.shape[2] * t.shape[3])
            total = try total + distance(teacher: t, student: s).sum() / positions
        }
        return total
    }

    /// The anomaly map `[N, H, W]`: each tap's ``distance(teacher:student:)`` upsampled
    /// bilinearly (half-pixel centres) to `size`, then multiplied or added over taps.
    public static func anomalyMap(teacher: [Tensor], student: [Tensor], size: Size2, combination: Combination) throws -> Tensor {
        try checkPairs(teacher, student)
        var combined: Tensor?
        for (t, s) in zip(teacher, student) {
            let layer = try distance(teacher: t, student: s).resized(to: size, mode: .bilinear)
            combined = try combined.map { combination == .product ? try $0 * layer : try $0 + layer } ?? layer
        }
        let map = combined ?? Tensor(0)
        return try map.reshaped([map.shape[0], size.height, size.width])
    }

    private static func checkPairs(_ teacher: [Tensor], _ student: [Tensor]) throws {
        guard teacher.count == student.count, !teacher.isEmpty else {
            throw DetectorError.invalidInput("STFPM needs as many student maps as teacher maps, got \(student.count) and \(teacher.count)")
        }
    }
}
