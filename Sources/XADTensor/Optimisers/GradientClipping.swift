/// Gradient clipping by global norm (PyTorch's `torch.nn.utils.clip_grad_norm_`): when the norm
/// of all gradients together, `‖g‖ = sqrt(Σ_i Σ_j g_ij²)`, exceeds `maxNorm`, every gradient is
/// scaled by `maxNorm / (‖g‖ + 1e-6)`, which keeps the direction of the step and bounds its size.
///
/// ```swift
/// let (clipped, norm) = GradientClipping.clipGlobalNorm(gradients, maxNorm: 1)
/// try adam.update(&model, along: clipped)
/// ```
public enum GradientClipping {
    /// The gradients, scaled when their global norm exceeds `maxNorm`, and that norm (before
    /// scaling; NaN or infinite when a gradient is, in which case nothing is scaled).
    public static func clipGlobalNorm(_ gradients: [String: Tensor], maxNorm: Float) -> (gradients: [String: Tensor], norm: Float) {
        let norm = globalNorm(gradients)
        guard norm.isFinite, norm > maxNorm else { return (gradients, norm) }
        // PyTorch forms the coefficient in Float32 with this epsilon.
        let scale = maxNorm / (norm + 1e-6)
        return (gradients.mapValues { $0.detached * scale }, norm)
    }

    /// `sqrt(Σ g²)` over every element of every gradient, summed in Double in name order (so the
    /// result does not depend on the dictionary's order).
    public static func globalNorm(_ gradients: [String: Tensor]) -> Float {
        var total: Double = 0
        for name in gradients.keys.sorted() {
            gradients[name]?.withUnsafeBufferPointer { values in
                for value in values { total += Double(value) * Double(value) }
            }
        }
        return Float(total.squareRoot())
    }
}
