/// Batch normalisation over the channel axis (axis 1) of NCHW tensors (any rank ≥ 2 works:
/// `[N, C, *]`), in inference and in training form, both differentiable with respect to the
/// input, `scale` and `shift`.
///
/// Inference: `y = (x - mean[c]) / sqrt(variance[c] + ε) * scale[c] + shift[c]`.
///
/// ```swift
/// let y = try x.batchNorm(mean: runningMean, variance: runningVariance,
///                         scale: gamma, shift: beta, epsilon: 1e-5)
/// let (z, batchMean, batchVariance) = try x.batchNormTraining(scale: gamma, shift: beta, epsilon: 1e-5)
/// ```
extension Tensor {
    /// Normalises with given per-channel statistics (inference): every `[C]` argument holds
    /// one value per channel; a missing `scale` means 1 and a missing `shift` means 0.
    ///
    /// Gradients flow to the input, `scale` and `shift`; `mean` and `variance` are constants.
    /// - Throws: ``TensorError`` when the input has rank < 2 or a statistic is not `[C]`.
    public func batchNorm(mean: Tensor, variance: Tensor, scale: Tensor?, shift: Tensor?,
                          epsilon: Float) throws -> Tensor {
        let layout = try ChannelLayout(shape, "batchNorm")
        for (name, tensor) in [("mean", mean), ("variance", variance), ("scale", scale), ("shift", shift)] {
            try layout.checkPerChannel(tensor, name)
        }
        let mean = mean.scalars
        let invStd = variance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        let (multiplier, offset) = Tensor.affineTerms(mean: mean, invStd: invStd, scale: scale, shift: shift)
        let result = layout.channelAffine(self, multiplier: multiplier, offset: offset)

        return recordBatchNorm(result, "batchNorm", layout: layout, scale: scale, shift: shift) {
            [x = detached] g, needed in
            let sums = needed[1] ? layout.gradientSums(g, x, center: mean) : nil
            let gradInput = needed[0]
                ? layout.channelAffine(g, multiplier: multiplier, offset: [Float](repeating: 0, count: layout.channels))
                : nil
            return (gradInput, sums.map { s in zip(s.centred, invStd).map { Float($0) * $1 } })
        }
    }

    /// Normalises with the statistics of this batch (training): mean and biased variance over
    /// every axis but the channel axis, `y = (x - μ) / sqrt(σ² + ε) * scale + shift`.
    ///
    /// Returns the output with the batch mean and the *unbiased* batch variance (`σ² · M/(M-1)`,
    /// `M` values per channel), which is what PyTorch folds into running statistics. The
    /// statistics are returned as plain values (not differentiable); the output is
    /// differentiable with respect to the input, `scale` and `shift`.
    /// - Throws: ``TensorError`` when the input has rank < 2, a channel holds fewer than two
    ///   values, or `scale`/`shift` is not `[C]`.
    public func batchNormTraining(scale: Tensor?, shift: Tensor?, epsilon: Float) throws
        -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let layout = try ChannelLayout(shape, "batchNormTraining")
        try layout.checkPerChannel(scale, "scale")
        try layout.checkPerChannel(shift, "shift")
        let perChannel = layout.batch * layout.spatial
        guard perChannel > 1 else {
            throw TensorError(.invalidArgument, "batchNormTraining",
                              "input \(shape) has \(perChannel) value per channel; training needs more than one")
        }
        let (mean, biasedVariance) = layout.moments(self)
        let invStd = biasedVariance.map { 1 / ($0 + epsilon).squareRoot() }
        let (multiplier, offset) = Tensor.affineTerms(mean: mean, invStd: invStd, scale: scale, shift: shift)
        let result = layout.channelAffine(self, multiplier: multiplier, offset: offset)
        let correction = Float(perChannel) / Float(perChannel - 1)
        let statistics = (mean: Tensor(perChannel: mean), variance: Tensor(perChannel: biasedVariance.map { $0 * correction }))

        let output = recordBatchNorm(result, "batchNormTraining", layout: layout, scale: scale, shift: shift) {
            [x = detached, gamma = scale?.scalars] g, needed in
            let sums = layout.gradientSums(g, x, center: mean)
            let gradScale = zip(sums.centred, invStd).map { Float($0) * $1 }
            guard needed[0] else { return (nil, gradScale) }
            // dx = γ·invStd/M · (M·g - Σg - x̂·Σ(g·x̂)), with x̂ = (x - μ)·invStd: per channel an
            // affine map of g and x, so one pass computes it.
            let count = Float(perChannel)
            var gradientFactor = [Float](), inputFactor = [Float](), constant = [Float]()
            for c in 0..<layout.channels {
                let k = (gamma?[c] ?? 1) * invStd[c]
                let sumG = Float(sums.plain[c]), sumGXhat = gradScale[c]
                gradientFactor.append(k)
                inputFactor.append(-k * invStd[c] * sumGXhat / count)
                constant.append(k * (invStd[c] * sumGXhat * mean[c] - sumG) / count)
            }
            let gradInput = layout.channelAffine(g, multiplier: gradientFactor, offset: constant,
                                                 plus: x, times: inputFactor)
            return (gradInput, gradScale)
        }
        return (output, statistics.mean, statistics.variance)
    }

    /// A `[C]` tensor from per-channel values.
    private init(perChannel values: [Float]) {
        self.init(shape: [values.count], storage: values.withUnsafeBufferPointer { TensorStorage(copying: $0) })
    }

    /// Per-channel `multiplier` and `offset` such that the normalised output is
    /// `x · multiplier + offset`.
    private static func affineTerms(mean: [Float], invStd: [Float], scale: Tensor?, shift: Tensor?)
        -> (multiplier: [Float], offset: [Float]) {
        let gamma = scale?.scalars, beta = shift?.scalars
        let multiplier = invStd.indices.map { c in (gamma?[c] ?? 1) * invStd[c] }
        let offset = invStd.indices.map { c in (beta?[c] ?? 0) - mean[c] * multiplier[c] }
        return (multiplier, offset)
    }

    /// Records a batch-norm result whose backward gives the input gradient and the scale
    /// gradient (`Σ g·x̂` per channel); the shift gradient, `Σ g`, is computed here.
    private func recordBatchNorm(
        _ result: Tensor, _ operation: String, layout: ChannelLayout, scale: Tensor?, shift: Tensor?,
        inputAndScale: @escaping @Sendable (Tensor, [Bool]) throws -> (Tensor?, [Float]?)
    ) -> Tensor {
        let inputs = [self] + [scale, shift].compactMap { $0 }
        let hasScale = scale != nil, hasShift = shift != nil
        return Tensor.recording(result, operation, inputs: inputs) { g, needed in
            let scaleNeeded = hasScale && needed[1]
            let shiftNeeded = hasShift && needed[hasScale ? 2 : 1]
            let (gradInput, gradScale) = needed[0] || scaleNeeded
                ? try inputAndScale(g, [needed[0], scaleNeeded]) : (nil, nil)
            var grads: [Tensor?] = [gradInput]
            if hasScale { grads.append(scaleNeeded ? gradScale.map { Tensor(perChannel: $0) } : nil) }
            if hasShift {
                grads.append(shiftNeeded ? Tensor(perChannel: layout.sums(g).map { Float($0) }) : nil)
            }
            return grads
        }
    }
}

/// A tensor viewed as `[batch, channels, spatial]`, the layout batch norm reduces over.
/// Channel `c` of batch item `n` is the contiguous run at `(n · channels + c) · spatial`.
private struct ChannelLayout: Sendable {
    let batch: Int, channels: Int, spatial: Int
    let operation: String

    init(_ shape: [Int], _ operation: String) throws {
        guard shape.count >= 2 else {
            throw TensorError(.shapeMismatch, operation, "input \(shape) must be [N, C, ...] (rank at least 2)")
        }
        batch = shape[0]
        channels = shape[1]
        spatial = shape.dropFirst(2).reduce(1, *)
        self.operation = operation
    }

    func checkPerChannel(_ tensor: Tensor?, _ name: String) throws {
        guard let tensor, tensor.shape != [channels] else { return }
        throw TensorError(.shapeMismatch, operation, "\(name) has shape \(tensor.shape), expected [\(channels)] (one per channel)")
    }

    /// Runs `body(c)` for every channel, in parallel when there is enough work.
    private func forEachChannel(_ body: (Int) -> Void) {
        ReductionKernels.forEachOuter(channels, work: batch * spatial, body)
    }

    /// Per-channel mean and biased variance (two passes, accumulated in Double).
    func moments(_ x: Tensor) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: channels), variance = mean
        let count = Double(batch * spatial)
        mean.withUnsafeMutableBufferPointer { meanOut in
            variance.withUnsafeMutableBufferPointer { varianceOut in
                let meanOut = UncheckedSendable(meanOut), varianceOut = UncheckedSendable(varianceOut)
                let base = x.storage.base
                forEachChannel { c in
                    var total = 0.0
                    forEachRun(c) { run in total += Double(ReductionKernels.contiguousSum(base + run, count: spatial)) }
                    let mu = Float(total / count)
                    var squares = 0.0
                    forEachRun(c) { run in
                        let row = base + run
                        var partial: Float = 0
                        for i in 0..<spatial { partial += (row[i] - mu) * (row[i] - mu) }
                        squares += Double(partial)
                    }
                    meanOut.value[c] = mu
                    varianceOut.value[c] = Float(squares / count)
                }
            }
        }
        return (mean, variance)
    }

    /// Per-channel `Σ g` (plain) and `Σ g · (x - center)` (centred), in Double.
    func gradientSums(_ g: Tensor, _ x: Tensor, center: [Float]) -> (plain: [Double], centred: [Double]) {
        var plain = [Double](repeating: 0, count: channels), centred = plain
        plain.withUnsafeMutableBufferPointer { plainOut in
            centred.withUnsafeMutableBufferPointer { centredOut in
                let plainOut = UncheckedSendable(plainOut), centredOut = UncheckedSendable(centredOut)
                let gBase = g.storage.base, xBase = x.storage.base
                forEachChannel { c in
                    var sum = 0.0, product = 0.0
                    let mu = center[c]
                    forEachRun(c) { run in
                        let gRow = gBase + run, xRow = xBase + run
                        sum += Double(ReductionKernels.contiguousSum(gRow, count: spatial))
                        var partial: Float = 0
                        for i in 0..<spatial { partial += gRow[i] * (xRow[i] - mu) }
                        product += Double(partial)
                    }
                    plainOut.value[c] = sum
                    centredOut.value[c] = product
                }
            }
        }
        return (plain, centred)
    }

    /// Per-channel `Σ g`, in Double.
    func sums(_ g: Tensor) -> [Double] {
        var sums = [Double](repeating: 0, count: channels)
        sums.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out), base = g.storage.base
            forEachChannel { c in
                var total = 0.0
                forEachRun(c) { run in total += Double(ReductionKernels.contiguousSum(base + run, count: spatial)) }
                out.value[c] = total
            }
        }
        return sums
    }

    /// `u · multiplier[c] + offset[c]`, plus `v · vFactor[c]` when `v` is given.
    func channelAffine(_ u: Tensor, multiplier: [Float], offset: [Float],
                       plus v: Tensor? = nil, times vFactor: [Float] = []) -> Tensor {
        Tensor(shape: u.shape) { out in
            guard let outBase = out.baseAddress else { return }
            let outPointer = UncheckedSendable(outBase)
            let uBase = u.storage.base, vBase = v?.storage.base
            let body = { (plane: Int) in
                let c = plane % channels, start = plane * spatial
                let a = multiplier[c], b = offset[c]
                let source = uBase + start, destination = outPointer.value + start
                if let vBase {
                    let other = vBase + start, k = vFactor[c]
                    for i in 0..<spatial { destination[i] = source[i] * a + other[i] * k + b }
                } else {
                    for i in 0..<spatial { destination[i] = source[i] * a + b }
                }
            }
            ReductionKernels.forEachOuter(batch * channels, work: spatial, body)
        }
    }

    /// Calls `body` with the start offset of each batch item's run of channel `c`.
    @inline(__always)
    private func forEachRun(_ c: Int, _ body: (Int) -> Void) {
        for n in 0..<batch { body((n * channels + c) * spatial) }
    }
}
