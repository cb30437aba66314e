/// How ``Tensor/resized(to:mode:)`` reads between input pixels.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    /// The input pixel at `floor(dst · in / out)` (PyTorch's legacy `"nearest"`).
    case nearest
    /// Linear interpolation along each axis between the two nearest pixel centres
    /// (PyTorch's `"bilinear"` with `align_corners=False`).
    case bilinear
}

extension Tensor {
    /// Resizes the spatial axes of an NCHW tensor, matching PyTorch's
    /// `F.interpolate(x, size=(h, w), mode=..., align_corners=False)`; differentiable.
    ///
    /// Bilinear: output pixel `d` reads the input at `s = max((d + 0.5) · in/out - 0.5, 0)`,
    /// mixing pixels `⌊s⌋` and `min(⌊s⌋ + 1, in - 1)` with weights `1 - (s - ⌊s⌋)` and `s - ⌊s⌋`
    /// along each axis. Nearest: pixel `min(⌊d · in/out⌋, in - 1)`.
    ///
    /// ```swift
    /// let map = try scores.resized(to: Size2(height: 256, width: 256))   // [N, 1, 28, 28] -> [N, 1, 256, 256]
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4 with non-empty spatial axes, or a
    ///   target size is not positive.
    public func resized(to size: Size2, mode: ResizeMode = .bilinear) throws -> Tensor {
        guard rank == 4, shape[2] > 0, shape[3] > 0 else {
            throw TensorError(.shapeMismatch, "resized", "input \(shape) must be NCHW with non-empty height and width")
        }
        guard size.height > 0, size.width > 0 else {
            throw TensorError(.invalidArgument, "resized", "target size \(size) must be positive")
        }
        let plan = ResizePlan(planes: shape[0] * shape[1],
                              rows: AxisSampling(mode, from: shape[2], to: size.height),
                              columns: AxisSampling(mode, from: shape[3], to: size.width))
        let result = Tensor(shape: [shape[0], shape[1], size.height, size.width]) { out in
            plan.forward(storage.base, into: out.baseAddress)
        }
        return Tensor.recording(result, "resized", inputs: [self]) { [inputShape = shape] g, _ in
            [Tensor(shape: inputShape) { gradient in plan.backward(g.storage.base, into: gradient.baseAddress) }]
        }
    }
}

/// Where each output index along one axis reads the input: two source indices and their
/// weights (nearest uses only the first, with weight 1).
private struct AxisSampling: Sendable {
    let mode: ResizeMode
    let inputSize: Int
    var lower: [Int] = [], upper: [Int] = []
    var lowerWeight: [Float] = [], upperWeight: [Float] = []

    init(_ mode: ResizeMode, from inputSize: Int, to outputSize: Int) {
        self.mode = mode
        self.inputSize = inputSize
        // PyTorch computes the scale and source positions in Float32; so do we, to match it bit for bit.
        let scale = Float(inputSize) / Float(outputSize)
        for d in 0..<outputSize {
            switch mode {
            case .nearest:
                let source = Swift.min(Int(Float(d) * scale), inputSize - 1)
                lower.append(source); upper.append(source)
                lowerWeight.append(1); upperWeight.append(0)
            case .bilinear:
                let position = Swift.max((Float(d) + 0.5) * scale - 0.5, 0)
                let index = Swift.min(Int(position), inputSize - 1)
                let fraction = Swift.min(Swift.max(position - Float(index), 0), 1)
                lower.append(index); upper.append(Swift.min(index + 1, inputSize - 1))
                lowerWeight.append(1 - fraction); upperWeight.append(fraction)
            }
        }
    }

    var outputSize: Int { lower.count }
}

/// A resize of `planes` independent `rows.inputSize × columns.inputSize` planes.
private struct ResizePlan: Sendable {
    let planes: Int
    let rows: AxisSampling, columns: AxisSampling

    var inputPlane: Int { rows.inputSize * columns.inputSize }
    var outputPlane: Int { rows.outputSize * columns.outputSize }

    /// Fills every output element; parallel over output rows.
    func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>?) {
        guard let output = output.map(UncheckedSendable.init) else { return }
        let outputWidth = columns.outputSize, inputWidth = columns.inputSize
        ReductionKernels.forEachOuter(planes * rows.outputSize, work: 4 * outputWidth) { row in
            let plane = row / rows.outputSize, y = row % rows.outputSize
            let source = input + plane * inputPlane
            let top = source + rows.lower[y] * inputWidth, bottom = source + rows.upper[y] * inputWidth
            let destination = output.value + row * outputWidth
            columns.lower.withUnsafeBufferPointer { left in
                switch rows.mode {
                case .nearest:
                    for x in 0..<outputWidth { destination[x] = top[left[x]] }
                case .bilinear:
                    columns.upper.withUnsafeBufferPointer { right in
                        columns.lowerWeight.withUnsafeBufferPointer { leftWeight in
                            columns.upperWeight.withUnsafeBufferPointer { rightWeight in
                                let topWeight = rows.lowerWeight[y], bottomWeight = rows.upperWeight[y]
                                for x in 0..<outputWidth {
                                    let upperValue = top[left[x]] * leftWeight[x] + top[right[x]] * rightWeight[x]
                                    let lowerValue = bottom[left[x]] * leftWeight[x] + bottom[right[x]] * rightWeight[x]
                                    destination[x] = upperValue * topWeight + lowerValue * bottomWeight
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fills every input-gradient element: each output gradient is scattered back to the
    /// pixels it was read from, with the same weights. Parallel over planes (a plane's
    /// scatters overlap, so a plane stays on one thread).
    func backward(_ upstream: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>?) {
        guard let gradient = gradient.map(UncheckedSendable.init) else { return }
        let outputWidth = columns.outputSize, inputWidth = columns.inputSize
        ReductionKernels.forEachOuter(planes, work: 4 * outputPlane) { plane in
            let destination = gradient.value + plane * inputPlane
            destination.initialize(repeating: 0, count: inputPlane)
            for y in 0..<rows.outputSize {
                let g = upstream + plane * outputPlane + y * outputWidth
                let top = destination + rows.lower[y] * inputWidth, bottom = destination + rows.upper[y] * inputWidth
                switch rows.mode {
                case .nearest:
                    for x in 0..<outputWidth { top[columns.lower[x]] += g[x] }
                case .bilinear:
                    let topWeight = rows.lowerWeight[y], bottomWeight = rows.upperWeight[y]
                    for x in 0..<outputWidth {
                        let left = columns.lower[x], right = columns.upper[x]
                        let upperShare = g[x] * topWeight, lowerShare = g[x] * bottomWeight
                        top[left] += upperShare * columns.lowerWeight[x]
                        top[right] += upperShare * columns.upperWeight[x]
                        bottom[left] += lowerShare * columns.lowerWeight[x]
                        bottom[right] += lowerShare * columns.upperWeight[x]
                    }
                }
            }
        }
    }
}
