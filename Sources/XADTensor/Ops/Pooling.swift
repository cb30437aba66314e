/// Max and average pooling over NCHW tensors (PyTorch's `max_pool2d`, `avg_pool2d`,
/// `adaptive_avg_pool2d`), each differentiable with respect to its input.
extension Tensor {
    /// The largest value of each `kernel` window, windows `stride` apart (default: `kernel`),
    /// over a plane padded by `padding` with -∞ (at most half the kernel). Output size
    /// `Ho = (H + 2pH - kH) / sH + 1` (floor). On ties the first maximum in row-major order takes
    /// the gradient; NaN wins over every number.
    ///
    /// ```swift
    /// let halved = try features.maxPool2d(kernel: 2)    // [N, C, H/2, W/2]
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4 or the kernel, stride or padding is invalid.
    public func maxPool2d(kernel: Size2, stride: Size2? = nil, padding: Size2 = 0) throws -> Tensor {
        let g = try PoolingGeometry.validated("maxPool2d", input: shape, kernel: kernel,
                                              stride: stride ?? kernel, padding: padding)
        let result = pooled(g) { PoolingKernels.maxForward(g, input: $0, output: $1) }
        return Tensor.recording(result, "maxPool2d", inputs: [self]) { [x = detached] upstream, _ in
            [Tensor.written(x.shape) {
                PoolingKernels.maxBackward(g, input: x.storage.base, upstream: upstream.storage.base, into: $0)
            }]
        }
    }

    /// The mean of each `kernel` window, windows `stride` apart (default: `kernel`), over a plane
    /// padded by `padding` zeros (at most half the kernel). With `countIncludePadding` the padding
    /// counts in the divisor (`kH·kW`), otherwise only the pixels inside the plane do.
    ///
    /// ```swift
    /// let smoothed = try x.avgPool2d(kernel: 3, stride: 1, padding: 1, countIncludePadding: false)
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4 or the kernel, stride or padding is invalid.
    public func avgPool2d(kernel: Size2, stride: Size2? = nil, padding: Size2 = 0,
                          countIncludePadding: Bool = true) throws -> Tensor {
        let g = try PoolingGeometry.validated("avgPool2d", input: shape, kernel: kernel,
                                              stride: stride ?? kernel, padding: padding)
        let result = pooled(g) {
            PoolingKernels.averageForward(g, countIncludePadding: countIncludePadding, input: $0, output: $1)
        }
        return Tensor.recording(result, "avgPool2d", inputs: [self]) { [inputShape = shape] upstream, _ in
            [Tensor.written(inputShape) {
                PoolingKernels.averageBackward(g, countIncludePadding: countIncludePadding,
                                               upstream: upstream.storage.base, into: $0)
            }]
        }
    }

    /// The mean over windows that split each plane into `outputSize` parts: output row `i` of
    /// `Ho` averages input rows `floor(i·H/Ho) ..< ceil((i+1)·H/Ho)` (PyTorch's formula; windows
    /// may overlap when `H` is not a multiple of `Ho`), and likewise for columns.
    ///
    /// ```swift
    /// let grid = try features.adaptiveAvgPool2d(Size2(height: 7, width: 7))   // [N, C, 7, 7]
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4 with non-empty planes, or a size is not positive.
    public func adaptiveAvgPool2d(_ outputSize: Size2) throws -> Tensor {
        guard rank == 4, shape[2] > 0, shape[3] > 0 else {
            throw TensorError(.shapeMismatch, "adaptiveAvgPool2d", "input \(shape) must be NCHW (rank 4) with non-empty planes")
        }
        guard outputSize.height > 0, outputSize.width > 0 else {
            throw TensorError(.invalidArgument, "adaptiveAvgPool2d", "output size \(outputSize) must be positive")
        }
        let g = PoolingGeometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3],
                                outHeight: outputSize.height, outWidth: outputSize.width,
                                kernel: 1, stride: 1, padding: 0)
        let result = pooled(g) { PoolingKernels.adaptiveAverageForward(g, input: $0, output: $1) }
        return Tensor.recording(result, "adaptiveAvgPool2d", inputs: [self]) { [inputShape = shape] upstream, _ in
            [Tensor.written(inputShape) {
                PoolingKernels.adaptiveAverageBackward(g, upstream: upstream.storage.base, into: $0)
            }]
        }
    }

    /// The mean of each plane: `[N, C, H, W] -> [N, C, 1, 1]`.
    ///
    /// ```swift
    /// let pooled = try features.globalAvgPool2d()
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4 with non-empty planes.
    public func globalAvgPool2d() throws -> Tensor {
        try adaptiveAvgPool2d(1)
    }

    /// A new `[N, C, outHeight, outWidth]` tensor written by `kernel(input, output)`.
    private func pooled(_ g: PoolingGeometry,
                        _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        Tensor.written([shape[0], shape[1], g.outHeight, g.outWidth]) { kernel(storage.base, $0) }
    }
}

extension PoolingGeometry {
    /// The geometry of a windowed pooling, after checking the arguments against PyTorch's rules.
    static func validated(_ op: String, input: [Int], kernel: Size2, stride: Size2,
                          padding: Size2) throws -> PoolingGeometry {
        guard input.count == 4 else {
            throw TensorError(.shapeMismatch, op, "input \(input) must be NCHW (rank 4)")
        }
        guard kernel.height > 0, kernel.width > 0, stride.height > 0, stride.width > 0 else {
            throw TensorError(.invalidArgument, op, "kernel \(kernel) and stride \(stride) must be positive")
        }
        guard padding.height >= 0, padding.width >= 0,
              padding.height <= kernel.height / 2, padding.width <= kernel.width / 2 else {
            throw TensorError(.invalidArgument, op, "padding \(padding) must be between 0 and half the kernel \(kernel)")
        }
        let paddedH = input[2] + 2 * padding.height, paddedW = input[3] + 2 * padding.width
        guard kernel.height <= paddedH, kernel.width <= paddedW else {
            throw TensorError(.shapeMismatch, op, "kernel \(kernel) is larger than the padded input \(input) (\(paddedH)x\(paddedW))")
        }
        return PoolingGeometry(planes: input[0] * input[1], height: input[2], width: input[3],
                               outHeight: (paddedH - kernel.height) / stride.height + 1,
                               outWidth: (paddedW - kernel.width) / stride.width + 1,
                               kernel: kernel, stride: stride, padding: padding)
    }
}
