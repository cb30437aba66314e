/// Convolution forward and backward by matrix products: for each image and group,
/// `output_g = weight_g · columns_g` (an sgemm with m = Cout/groups, n = outHeight·outWidth,
/// k = patchSize), where the columns come from ``Im2Col`` into one workspace reused for every
/// image, or are the NCHW input itself for pointwise (1x1, stride 1) convolutions. Depthwise
/// geometries go to the direct kernels of ``DepthwiseConvolution``.
///
/// All pointers address whole NCHW arrays of the geometry's shapes; outputs are fully written.
package enum ConvolutionKernels {
    /// `output = conv(input, weight) + bias`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                output: UnsafeMutablePointer<Float>) {
        if g.isDepthwise {
            DepthwiseConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
            return
        }
        if let bias {
            for plane in 0..<g.batch * g.outChannels {
                (output + plane * g.outPlane).update(repeating: bias[plane % g.outChannels], count: g.outPlane)
            }
        }
        withColumns(g) { columns in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let source = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                    if let columns { Im2Col.unfold(g, source: source, columns: columns) }
                    BLAS.sgemm(m: g.outChannelsPerGroup, n: g.outPlane, k: g.patchSize,
                               a: weight + group * g.outChannelsPerGroup * g.patchSize, lda: g.patchSize,
                               b: columns.map { UnsafePointer($0) } ?? source, ldb: g.outPlane,
                               beta: bias == nil ? 0 : 1,
                               c: output + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane,
                               ldc: g.outPlane)
                }
            }
        }
    }

    /// The gradient with respect to the input: `columns = weight_gᵀ · upstream_g`, folded back
    /// onto the pixels they were read from.
    package static func inputGradient(_ g: ConvolutionGeometry, upstream: UnsafePointer<Float>,
                                      weight: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>) {
        if g.isDepthwise {
            DepthwiseConvolution.inputGradient(g, upstream: upstream, weight: weight, into: inputGradient)
            return
        }
        if !g.isPointwise { inputGradient.update(repeating: 0, count: g.batch * g.inChannels * g.inPlane) }
        withColumns(g) { columns in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let target = inputGradient + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                    BLAS.sgemm(transposeA: true, m: g.patchSize, n: g.outPlane, k: g.outChannelsPerGroup,
                               a: weight + group * g.outChannelsPerGroup * g.patchSize, lda: g.patchSize,
                               b: upstream + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane,
                               ldb: g.outPlane, c: columns ?? target, ldc: g.outPlane)
                    if let columns { Im2Col.foldAdding(g, columns: columns, into: target) }
                }
            }
        }
    }

    /// The gradient with respect to the weight: `Σ_n upstream_g · columns_gᵀ`.
    package static func weightGradient(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                       upstream: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>) {
        if g.isDepthwise {
            DepthwiseConvolution.weightGradient(g, input: input, upstream: upstream, into: weightGradient)
            return
        }
        weightGradient.update(repeating: 0, count: g.outChannels * g.patchSize)
        withColumns(g) { columns in
            for n in 0..<g.batch {
                for group in 0..<g.groups {
                    let source = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                    if let columns { Im2Col.unfold(g, source: source, columns: columns) }
                    BLAS.sgemm(transposeB: true, m: g.outChannelsPerGroup, n: g.patchSize, k: g.outPlane,
                               a: upstream + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane,
                               lda: g.outPlane, b: columns.map { UnsafePointer($0) } ?? source, ldb: g.outPlane,
                               beta: 1, c: weightGradient + group * g.outChannelsPerGroup * g.patchSize,
                               ldc: g.patchSize)
                }
            }
        }
    }

    /// The gradient with respect to a per-channel bias: `Σ_{n, y, x} upstream[n, c, y, x]`.
    package static func channelSums(_ upstream: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
                                    into sums: UnsafeMutablePointer<Float>) {
        let planeSums = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(batch * channels, 1))
        defer { planeSums.deallocate() }
        ReductionKernels.sum(upstream, outer: batch * channels, reduced: plane, inner: 1, into: planeSums)
        ReductionKernels.sum(planeSums, outer: 1, reduced: batch, inner: channels, into: sums)
    }

    /// Calls `body` with an im2col workspace for one image and group, or nil for pointwise
    /// geometries, which need none. One workspace serves the whole call.
    private static func withColumns(_ g: ConvolutionGeometry, _ body: (UnsafeMutablePointer<Float>?) -> Void) {
        if g.isPointwise {
            body(nil)
            return
        }
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outPlane)
        defer { columns.deallocate() }
        body(columns)
    }
}
