/// NumPy-style broadcasting: shapes are aligned at their last dimension, and a dimension of size
/// 1 (or a missing one) stretches to match the other operand.
package enum Broadcast {
    /// The shape two operands broadcast to.
    package static func shape(_ a: [Int], _ b: [Int], _ operation: String) throws -> [Int] {
        let rank = Swift.max(a.count, b.count)
        let paddedA = Array(repeating: 1, count: rank - a.count) + a
        let paddedB = Array(repeating: 1, count: rank - b.count) + b
        return try zip(paddedA, paddedB).map { x, y in
            if x == y || y == 1 { return x }
            if x == 1 { return y }
            throw TensorError.shapes(operation, [a, b], "do not broadcast")
        }
    }

    /// Strides of `shape` read as if it had `target`'s shape: 0 along broadcast dimensions.
    package static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let padded = Array(repeating: 1, count: target.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: target.count)
        var stride = 1
        for axis in padded.indices.reversed() {
            strides[axis] = padded[axis] == 1 ? 0 : stride
            stride *= padded[axis]
        }
        return strides
    }
}

extension Tensor {
    /// Applies `operation` elementwise after broadcasting; records nothing.
    @inline(__always)
    package static func broadcastMap(_ a: Tensor, _ b: Tensor, _ name: String,
                                     _ operation: (Float, Float) -> Float) throws -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                let x = a.storage.base, y = b.storage.base
                for i in 0..<out.count { out[i] = operation(x[i], y[i]) }
            }
        }
        let shape = try Broadcast.shape(a.shape, b.shape, name)
        let x = a.storage.base, y = b.storage.base
        if b.count == 1 {
            let value = y[0]
            return Tensor(shape: shape) { out in for i in 0..<out.count { out[i] = operation(x[i % a.count], value) } }
        }
        if a.count == 1 {
            let value = x[0]
            return Tensor(shape: shape) { out in for i in 0..<out.count { out[i] = operation(value, y[i % b.count]) } }
        }
        let strideA = Broadcast.strides(of: a.shape, broadcastTo: shape)
        let strideB = Broadcast.strides(of: b.shape, broadcastTo: shape)
        return Tensor(shape: shape) { out in
            guard let last = shape.indices.last, out.count > 0 else { return }
            let inner = shape[last], innerA = strideA[last], innerB = strideB[last]
            var index = [Int](repeating: 0, count: shape.count)
            var offset = 0
            while offset < out.count {
                var offsetA = 0, offsetB = 0
                for axis in 0..<last {
                    offsetA += index[axis] * strideA[axis]
                    offsetB += index[axis] * strideB[axis]
                }
                for j in 0..<inner {
                    out[offset + j] = operation(x[offsetA + j * innerA], y[offsetB + j * innerB])
                }
                offset += inner
                // Advance the outer index like an odometer.
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < shape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// Applies `operation` to every element; records nothing.
    @inline(__always)
    package func map(_ operation: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            let x = storage.base
            for i in 0..<out.count { out[i] = operation(x[i]) }
        }
    }
}
