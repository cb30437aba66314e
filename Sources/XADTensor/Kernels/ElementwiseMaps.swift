extension Tensor {
    /// `output[i] = operation(a[i], b[i], c[i])` for three tensors of `a`'s shape; records nothing.
    /// Used by backward rules of the form `upstream * derivative(input, output)`.
    @inline(__always)
    package static func elementwise(_ a: Tensor, _ b: Tensor, _ c: Tensor,
                                    _ operation: (Float, Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count && a.count == c.count, "elementwise operands differ in size")
        return Tensor(shape: a.shape) { out in
            let x = a.storage.base, y = b.storage.base, z = c.storage.base
            for i in 0..<out.count { out[i] = operation(x[i], y[i], z[i]) }
        }
    }
}
