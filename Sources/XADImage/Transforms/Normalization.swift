import XADTensor

extension Tensor {
    /// Each channel shifted and scaled: `(x[c] - mean[c]) / std[c]`, as torchvision's `normalize`.
    /// Differentiable.
    ///
    /// ```swift
    /// // EfficientNet-Lite (TensorFlow-trained): 0...1 becomes -1...1.
    /// let input = try image.normalized(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    /// ```
    /// - Throws: `TensorError` when the tensor is not an image, `mean` or `std` does not have
    ///   one value per channel, or a value is not finite or a deviation is not positive.
    public func normalized(mean: [Float], std: [Float]) throws -> Tensor {
        let layout = try ImageLayout(self, "normalized")
        guard mean.count == layout.channels, std.count == layout.channels else {
            throw TensorError(.shapeMismatch, "normalized",
                              "image shape \(shape) has \(layout.channels) channels but mean has \(mean.count) and std \(std.count) values")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw TensorError(.invalidArgument, "normalized",
                              "mean \(mean) must be finite and std \(std) finite and positive")
        }
        let perChannel = layout.isBatched ? [1, layout.channels, 1, 1] : [layout.channels, 1, 1]
        return try (self - Tensor(shape: perChannel, scalars: mean)) / Tensor(shape: perChannel, scalars: std)
    }
}
