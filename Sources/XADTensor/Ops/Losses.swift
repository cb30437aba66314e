/// Training losses, each the mean over all elements (PyTorch's `reduction="mean"`), returned as
/// a rank-0 tensor and differentiable in both arguments.
///
/// A loss that comes out NaN or infinite throws ``TensorError`` (`.nonFinite`) naming the loss,
/// so that a diverging training run stops with a reason instead of producing garbage.
///
/// ```swift
/// let loss = try Loss.meanSquaredError(prediction, target)
/// let gradient = try tape.gradient(of: loss, withRespectTo: prediction)
/// ```
public enum Loss {
    /// `mean((p - t)²)`. Gradient: `2 (p - t) / N` for `p`, its negative for `t`.
    /// - Throws: ``TensorError`` for different shapes or a non-finite loss.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try elementwiseMean("meanSquaredError", prediction, target,
                            loss: { p, t in (p - t) * (p - t) },
                            gradient: { p, t in (2 * (p - t), -2 * (p - t)) })
    }

    /// `mean(-(t · log p + (1 - t) · log(1 - p)))` for probabilities `p` in [0, 1], with each
    /// logarithm clamped at -100 as PyTorch's `binary_cross_entropy` does (so `p = 0` or 1 gives a
    /// finite loss). Gradient for `p`: `(p - t) / max(p (1 - p), 1e-12)`, like PyTorch.
    /// - Throws: ``TensorError`` for different shapes, a probability outside [0, 1], or a
    ///   non-finite loss (a NaN probability, say).
    public static func binaryCrossEntropy(_ probabilities: Tensor, _ targets: Tensor) throws -> Tensor {
        let outside = probabilities.withUnsafeBufferPointer { $0.contains { $0 < 0 || $0 > 1 } }
        guard !outside else {
            throw TensorError(.invalidArgument, "binaryCrossEntropy",
                              "probabilities of shape \(probabilities.shape) must lie in [0, 1]")
        }
        return try elementwiseMean("binaryCrossEntropy", probabilities, targets,
                                   loss: { p, t in
                                       -(t * Swift.max(_log(p), -100) + (1 - t) * Swift.max(_log(1 - p), -100))
                                   },
                                   gradient: { p, t in
                                       ((p - t) / Swift.max((1 - p) * p, 1e-12),
                                        Swift.max(_log(1 - p), -100) - Swift.max(_log(p), -100))
                                   })
    }

    /// Binary cross-entropy of `sigmoid(x)` computed from the logits `x` without overflow:
    /// `mean(max(x, 0) - x t + log(1 + e^-|x|))`. Gradient: `sigmoid(x) - t` for `x`, `-x` for `t`.
    /// - Throws: ``TensorError`` for different shapes or a non-finite loss.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor) throws -> Tensor {
        try elementwiseMean("binaryCrossEntropyWithLogits", logits, targets,
                            loss: { x, t in Swift.max(x, 0) - x * t + _log1p(ElementwiseMath.exp(-Swift.abs(x))) },
                            gradient: { x, t in (ElementwiseMath.sigmoid(x) - t, -x) })
    }

    /// `mean(loss(aᵢ, bᵢ))` with the backward rule `gradient(aᵢ, bᵢ) · g / N` for both inputs.
    @inline(__always)
    private static func elementwiseMean(
        _ name: String, _ a: Tensor, _ b: Tensor,
        loss: (Float, Float) -> Float,
        gradient: @escaping @Sendable (Float, Float) -> (Float, Float)
    ) throws -> Tensor {
        guard a.shape == b.shape else {
            throw TensorError.shapes(name, [a.shape, b.shape], "differ")
        }
        let count = a.count
        var total: Double = 0
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                for i in 0..<count { total += Double(loss(x[i], y[i])) }
            }
        }
        let value = Float(total / Double(count))
        guard value.isFinite else {
            throw TensorError(.nonFinite, name, "the loss over shape \(a.shape) is \(value)")
        }
        return Tensor.recording(Tensor(value), name, inputs: [a, b]) { [a = a.detached, b = b.detached] g, needed in
            let scale = (g.scalar ?? 0) / Float(count)
            let x = a.storage.base, y = b.storage.base
            // Each input's gradient only when asked for (targets usually are not).
            return [needed[0] ? Tensor(shape: a.shape) { out in
                        for i in 0..<count { out[i] = gradient(x[i], y[i]).0 * scale }
                    } : nil,
                    needed[1] ? Tensor(shape: b.shape) { out in
                        for i in 0..<count { out[i] = gradient(x[i], y[i]).1 * scale }
                    } : nil]
        }
    }
}
