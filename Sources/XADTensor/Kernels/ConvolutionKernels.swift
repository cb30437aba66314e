/// Convolution forward and backward by matrix products: for each image and group,
/// `output_g = weight_g · columns_g` (an sgemm with m = Cout/groups, n = outHeight·outWidth,
/// k = patchSize). The columns come from ``Im2Col``, a block of output rows at a time, into one
/// workspace of about 1 MB reused for every block, image and group (small enough to stay in L2
/// cache between im2col and sgemm); pointwise (1x1, stride 1) convolutions skip im2col and
/// multiply the NCHW input directly. Depthwise geometries go to ``DepthwiseConvolution``, and the
/// forward pass of 3x3 stride-1 layers with at least 8 channels per group to ``WinogradConvolution``.
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
        if WinogradConvolution.applies(to: g) {
            WinogradConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
            return
        }
        if let bias {
            for plane in 0..<g.batch * g.outChannels {
                (output + plane * g.outPlane).update(repeating: bias[plane % g.outChannels], count: g.outPlane)
            }
        }
        forEachBlock(g) { n, group, rows, columns in
            let source = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
            if let columns { Im2Col.unfold(g, source: source, outputRows: rows, columns: columns) }
            let blockWidth = rows.count * g.outWidth
            BLAS.sgemm(m: g.outChannelsPerGroup, n: blockWidth, k: g.patchSize,
                       a: weight + group * g.outChannelsPerGroup * g.patchSize, lda: g.patchSize,
                       b: columns.map { UnsafePointer($0) } ?? source, ldb: blockWidth,
                       beta: bias == nil ? 0 : 1,
                       c: output + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane
                           + rows.lowerBound * g.outWidth,
                       ldc: g.outPlane)
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
        forEachBlock(g) { n, group, rows, columns in
            let target = inputGradient + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
            let blockWidth = rows.count * g.outWidth
            BLAS.sgemm(transposeA: true, m: g.patchSize, n: blockWidth, k: g.outChannelsPerGroup,
                       a: weight + group * g.outChannelsPerGroup * g.patchSize, lda: g.patchSize,
                       b: upstream + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane
                           + rows.lowerBound * g.outWidth,
                       ldb: g.outPlane, c: columns ?? target, ldc: blockWidth)
            if let columns { Im2Col.foldAdding(g, columns: columns, outputRows: rows, into: target) }
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
        forEachBlock(g) { n, group, rows, columns in
            let source = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
            if let columns { Im2Col.unfold(g, source: source, outputRows: rows, columns: columns) }
            let blockWidth = rows.count * g.outWidth
            BLAS.sgemm(transposeB: true, m: g.outChannelsPerGroup, n: g.patchSize, k: blockWidth,
                       a: upstream + (n * g.outChannels + group * g.outChannelsPerGroup) * g.outPlane
                           + rows.lowerBound * g.outWidth,
                       lda: g.outPlane, b: columns.map { UnsafePointer($0) } ?? source, ldb: blockWidth,
                       beta: 1, c: weightGradient + group * g.outChannelsPerGroup * g.patchSize,
                       ldc: g.patchSize)
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

    /// Floats of im2col workspace to aim for: 1 MB, half of one core's L2 cache.
    private static let workspaceTarget = 1 << 18

    /// Calls `body(image, group, outputRows, columns)` for every image, group and block of output
    /// rows, with the im2col workspace for the block; pointwise geometries need no workspace
    /// (`columns` is nil) and come in one block per image and group.
    private static func forEachBlock(
        _ g: ConvolutionGeometry, _ body: (Int, Int, Range<Int>, UnsafeMutablePointer<Float>?) -> Void
    ) {
        if g.isPointwise {
            for n in 0..<g.batch {
                for group in 0..<g.groups { body(n, group, 0..<g.outHeight, nil) }
            }
            return
        }
        let blockRows = Swift.min(g.outHeight, Swift.max(1, workspaceTarget / (g.patchSize * g.outWidth)))
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * blockRows * g.outWidth)
        defer { columns.deallocate() }
        for n in 0..<g.batch {
            for group in 0..<g.groups {
                for top in stride(from: 0, to: g.outHeight, by: blockRows) {
                    body(n, group, top..<Swift.min(top + blockRows, g.outHeight), columns)
                }
            }
        }
    }
}
