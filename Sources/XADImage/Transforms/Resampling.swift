import XADTensor

/// The filter ``XADTensor/Tensor/resampled(to:filter:antialias:)`` interpolates with.
public enum ResampleFilter: String, Sendable, Codable, CaseIterable {
    /// The input pixel at `min(⌊o · in / out⌋, in - 1)` (torchvision's `NEAREST`, PyTorch's
    /// legacy `"nearest"`); never antialiased.
    case nearest
    /// The triangle filter: linear interpolation between pixel centres (radius 1).
    case bilinear
    /// Keys' cubic convolution (radius 2): `a = -0.5` with antialiasing (Pillow, PyTorch's
    /// antialiased kernel), `a = -0.75` without (PyTorch's `F.interpolate(mode="bicubic")`).
    case bicubic
}

extension Tensor {
    /// The image resampled to `size`, matching torchvision's
    /// `transforms.functional.resize(img, [h, w], interpolation, antialias=...)` on float tensors.
    ///
    /// - `antialias: true` (bilinear, bicubic): Pillow's separable convolution, which PyTorch's
    ///   antialiased kernel copies. When shrinking by `scale = in / out > 1` the filter is widened
    ///   to `radius · scale` so every input pixel contributes; the weights of each output pixel
    ///   sum to 1. Enlarging is plain interpolation. Bicubic uses `a = -0.5`.
    /// - `antialias: false`: PyTorch's `F.interpolate(..., align_corners=False)`: bilinear reads
    ///   two pixels, bicubic four (`a = -0.75`, edge pixels repeated) around the source position
    ///   `(o + 0.5) · scale - 0.5`, whatever the scale. Shrinking by large factors aliases.
    /// - `.nearest` ignores `antialias`, as torchvision does.
    ///
    /// Bicubic can overshoot 0...1 near sharp edges; values are not clamped (torchvision clamps
    /// only uint8 images). Nearest and bilinear-without-antialias run through
    /// `Tensor.resized(to:mode:)`; every mode is differentiable.
    ///
    /// Agreement, measured by `TransformResampleTests` on torchvision 0.29 fixtures: within
    /// 1e-5 absolute for inputs in 0...1 (nearest exact).
    ///
    /// ```swift
    /// let image = try Image(contentsOf: url).toTensor()                        // [1, 3, 900, 1200]
    /// let small = try image.resampled(to: Size2(height: 256, width: 256), filter: .bilinear)
    /// ```
    /// - Throws: `TensorError` when the tensor is not `[N, C, H, W]` or `[C, H, W]` with
    ///   non-empty axes, or a target size is not positive.
    public func resampled(to size: Size2, filter: ResampleFilter, antialias: Bool = true) throws -> Tensor {
        let layout = try ImageLayout(self, "resampled")
        guard size.height > 0, size.width > 0 else {
            throw TensorError(.invalidArgument, "resampled", "target size \(size) must be positive")
        }
        switch (filter, antialias) {
        case (.nearest, _):
            return try resizedKeepingRank(to: size, mode: .nearest, layout)
        case (.bilinear, false):
            return try resizedKeepingRank(to: size, mode: .bilinear, layout)
        case (.bilinear, true), (.bicubic, true):
            return convolved(layout, SeparableResampler(
                planes: layout.planeCount,
                rows: .antialiased(filter, from: layout.height, to: size.height),
                columns: .antialiased(filter, from: layout.width, to: size.width)))
        case (.bicubic, false):
            return convolved(layout, SeparableResampler(
                planes: layout.planeCount,
                rows: .cubic(from: layout.height, to: size.height),
                columns: .cubic(from: layout.width, to: size.width)))
        }
    }

    /// `Tensor.resized(to:mode:)` (rank 4 only) for either image rank.
    private func resizedKeepingRank(to size: Size2, mode: ResizeMode, _ layout: ImageLayout) throws -> Tensor {
        if layout.isBatched { return try resized(to: size, mode: mode) }
        return try unsqueezed(axis: 0).resized(to: size, mode: mode).squeezed(axis: 0)
    }

    /// Runs `resampler` over every plane, recording its transpose as the gradient.
    private func convolved(_ layout: ImageLayout, _ resampler: SeparableResampler) -> Tensor {
        let outputShape = layout.shape(height: resampler.rows.outputSize, width: resampler.columns.outputSize)
        let result = withUnsafeBufferPointer { input in
            Tensor(shape: outputShape) { out in
                guard let source = input.baseAddress, let destination = out.baseAddress else { return }
                resampler.forward(source, into: destination)
            }
        }
        return Tensor.recording(result, "resampled", inputs: [self]) { [inputShape = shape] g, _ in
            [g.withUnsafeBufferPointer { upstream in
                Tensor(shape: inputShape) { gradient in
                    guard let source = upstream.baseAddress, let destination = gradient.baseAddress else { return }
                    resampler.backward(source, into: destination)
                }
            }]
        }
    }
}
