import XADTensor

extension Tensor {
    /// A gray image (one channel) repeated into three identical RGB channels; an RGB image is
    /// returned unchanged. Differentiable (the gradient sums the three channels).
    ///
    /// ```swift
    /// let rgb = try mask.grayscaleToRGB()      // [1, 1, H, W] -> [1, 3, H, W]
    /// ```
    /// - Throws: `TensorError` when the tensor is not an image with 1 or 3 channels.
    public func grayscaleToRGB() throws -> Tensor {
        let layout = try ImageLayout(self, "grayscaleToRGB", allowedChannels: [1, 3])
        return layout.channels == 3 ? self : try expanded(to: layout.shape(channels: 3))
    }

    /// The luma of an RGB image by ITU-R 601-2, as Pillow's `convert("L")` computes it before
    /// rounding to 8 bits: `L = 0.299 R + 0.587 G + 0.114 B`. A gray image is returned unchanged.
    /// Differentiable.
    ///
    /// torchvision's `rgb_to_grayscale` uses 0.2989 for red instead; the two differ by at most
    /// 1e-4 for values in 0...1. Pillow's is the one images are usually loaded with.
    ///
    /// ```swift
    /// let gray = try photo.rgbToGrayscale()    // [1, 3, H, W] -> [1, 1, H, W]
    /// ```
    /// - Throws: `TensorError` when the tensor is not an image with 1 or 3 channels.
    public func rgbToGrayscale() throws -> Tensor {
        let layout = try ImageLayout(self, "rgbToGrayscale", allowedChannels: [1, 3])
        guard layout.channels == 3 else { return self }
        let axis = layout.channelAxis
        let red = try sliced(axis: axis, range: 0..<1), green = try sliced(axis: axis, range: 1..<2)
        let blue = try sliced(axis: axis, range: 2..<3)
        return try red * 0.299 + green * 0.587 + blue * 0.114
    }
}
