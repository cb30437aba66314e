/// Elementwise arithmetic with broadcasting, each differentiable.
///
/// ```swift
/// let y = try x * weight + bias      // bias [1, C, 1, 1] broadcasts over N, H, W
/// ```
extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastMap(a, b, "add", +)
        return recording(result, "add", inputs: [a, b]) { [sa = a.shape, sb = b.shape] g, _ in
            [g.summed(toShape: sa), g.summed(toShape: sb)]
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastMap(a, b, "subtract", -)
        return recording(result, "subtract", inputs: [a, b]) { [sa = a.shape, sb = b.shape] g, needed in
            [g.summed(toShape: sa), needed[1] ? g.map { -$0 }.summed(toShape: sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastMap(a, b, "multiply", *)
        return recording(result, "multiply", inputs: [a, b]) { [a = a.detached, b = b.detached] g, needed in
            [needed[0] ? try broadcastMap(g, b, "multiply", *).summed(toShape: a.shape) : nil,
             needed[1] ? try broadcastMap(g, a, "multiply", *).summed(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let result = try broadcastMap(a, b, "divide", /)
        return recording(result, "divide", inputs: [a, b]) { [a = a.detached, b = b.detached] g, needed in
            [needed[0] ? try broadcastMap(g, b, "divide", /).summed(toShape: a.shape) : nil,
             needed[1] ? try broadcastMap(broadcastMap(g, a, "divide", *), b, "divide") { -$0 / ($1 * $1) }
                .summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        recording(a.map { -$0 }, "negate", inputs: [a]) { g, _ in [g.map { -$0 }] }
    }

    public static func + (a: Tensor, b: Float) -> Tensor {
        recording(a.map { $0 + b }, "add", inputs: [a]) { g, _ in [g] }
    }

    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    public static func * (a: Tensor, b: Float) -> Tensor {
        recording(a.map { $0 * b }, "multiply", inputs: [a]) { g, _ in [g.map { $0 * b }] }
    }

    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }

    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    public static func - (a: Float, b: Tensor) -> Tensor { -b + a }

    /// Elementwise sum of two same-shaped tensors without recording (gradient accumulation).
    package func adding(_ other: Tensor) throws -> Tensor {
        guard shape == other.shape else {
            throw TensorError.shapes("add", [shape, other.shape], "differ")
        }
        return try Tensor.broadcastMap(self, other, "add", +)
    }
}
