import Foundation
import XADTensor

/// How concentrated an explanation is: Quantus' complexity measures, on absolute values.
///
/// ```swift
/// try Complexity.sparseness(explanation.map)   // Gini index in [0, 1): 0 uniform, → 1 one pixel
/// try Complexity.entropy(explanation.map)      // nats: 0 one pixel, ln(n) uniform
/// ```
public enum Complexity {
    /// The Gini index of `|a|` (Chalasani et al. 2020; Quantus `Sparseness`): with the `n` values
    /// sorted ascending, `Σᵢ (2i - n - 1) aᵢ / (n Σ aᵢ)`, `i = 1…n`. Like Quantus, `1e-7` is
    /// added to every value so that an all-zero map is defined.
    public static func sparseness(_ map: Tensor) throws -> Double {
        let values = try absoluteValues(map, "sparseness").map { $0 + 1e-7 }.sorted()
        let n = Double(values.count)
        var weighted = 0.0, total = 0.0
        for (i, value) in values.enumerated() {
            weighted += (2 * Double(i + 1) - n - 1) * value
            total += value
        }
        return weighted / (n * total)
    }

    /// The Shannon entropy (natural log) of the fractional contributions `pᵢ = |aᵢ| / Σ |a|`
    /// (Bhatt et al. 2020; Quantus `Complexity`).
    /// - Throws: ``QualityError`` when the map is all zeros.
    public static func entropy(_ map: Tensor) throws -> Double {
        let values = try absoluteValues(map, "entropy")
        let total = values.reduce(0, +)
        guard total > 0 else { throw QualityError("entropy: the explanation map is all zeros") }
        return values.reduce(0.0) { sum, value in
            let p = value / total
            return p > 0 ? sum - p * log(p) : sum
        }
    }

    private static func absoluteValues(_ map: Tensor, _ measure: String) throws -> [Double] {
        let values = map.scalars
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw QualityError("\(measure): the explanation map is empty or has non-finite values")
        }
        return values.map { Double(abs($0)) }
    }
}
