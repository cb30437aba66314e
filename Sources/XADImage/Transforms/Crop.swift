import XADTensor

extension Tensor {
    /// The central `size` window of the image, as torchvision's `center_crop`: the window starts
    /// at `round((H - h) / 2)` rows and `round((W - w) / 2)` columns, rounding halves to even
    /// (Python's `round`). Along an axis where the window is larger than the image, the image is
    /// padded with zeros first, `(h - H) / 2` (rounded down) before it and the rest after it.
    /// Differentiable.
    ///
    /// ```swift
    /// let x = Tensor.ones([1, 3, 256, 256])
    /// try x.centerCropped(to: Size2(224)).shape        // [1, 3, 224, 224], rows 16..<240
    /// ```
    /// - Throws: `TensorError` when the tensor is not an image or a window size is not positive.
    public func centerCropped(to size: Size2) throws -> Tensor {
        let layout = try ImageLayout(self, "centerCropped")
        guard size.height > 0, size.width > 0 else {
            throw TensorError(.invalidArgument, "centerCropped", "window size \(size) must be positive")
        }
        var padding = [(before: Int, after: Int)](repeating: (0, 0), count: rank)
        var result = self
        for (axis, (current, wanted)) in [(rank - 2, (layout.height, size.height)),
                                          (rank - 1, (layout.width, size.width))] {
            if wanted > current {
                padding[axis] = ((wanted - current) / 2, (wanted - current + 1) / 2)
            } else if wanted < current {
                let start = Int((Double(current - wanted) / 2).rounded(.toNearestOrEven))
                result = try result.sliced(axis: axis, range: start..<(start + wanted))
            }
        }
        return padding.contains(where: { $0.before > 0 || $0.after > 0 }) ? try result.padded(padding) : result
    }
}
