import CXADKernels

/// 3x3 convolutions at stride 1 by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
/// CVPR 2016): each 2 x 2 output tile is `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for its 4 x 4 input patch
/// `d`, so the sum over input channels becomes 16 matrix products (`BLAS.sgemm`, one per entry
/// ξ of the 4 x 4 transformed tile) with 16 multiplies per tile and channel pair instead of 36:
///
/// `M[ξ] (Cout/groups x tiles) = U[ξ] (Cout/groups x Cin/groups) · V[ξ] (Cin/groups x tiles)`
///
/// The transforms are the C kernels of `xad_winograd.h` (vectorised for AVX-512 or AVX2 as
/// ``CPULevel`` allows). Tiles are taken a block of tile rows at a time (about 128 tiles), so
/// that `V` and `M` stay in L2 cache between the transforms and the products. The results
/// differ from the direct sum by float32 rounding only (the transforms' entries are 0, ±1 and
/// ±½); the gradients keep the im2col path of ``ConvolutionKernels``.
package enum WinogradConvolution {
    /// Tiles per block: `V` and `M` of a 64-channel layer then take 0.5 MB each.
    private static let tilesPerBlock = 128

    /// Whether ``forward(_:input:weight:bias:output:level:)`` computes `g`: a 3x3 kernel at
    /// stride 1 without dilation, at least 8 input and 8 output channels per group (with fewer,
    /// the transforms cost more than the products save) and sizes that fit the C kernels' `Int32`.
    package static func applies(to g: ConvolutionGeometry) -> Bool {
        g.kernel == 3 && g.stride == 1 && g.dilation == 1 && g.inChannelsPerGroup >= 8
            && g.outChannelsPerGroup >= 8 && g.inHeight < Int32.max / 2 && g.inWidth < Int32.max / 2
            && g.padding.height < Int32.max / 2 && g.padding.width < Int32.max / 2
            && 16 * g.outChannelsPerGroup * g.inChannelsPerGroup < Int32.max
    }

    /// `output = conv(input, weight) + bias` for a geometry that ``applies(to:)``. `level` picks
    /// the transforms' kernels (tests pass lower levels than ``CPULevel/current``); it is lowered
    /// to ``CPULevel/detected`` if above it.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                output: UnsafeMutablePointer<Float>, level: CPULevel = .current) {
        let cLevel = xad_cpu_level(UInt32(Swift.min(level, .detected).rawValue))
        let inGroup = g.inChannelsPerGroup, outGroup = g.outChannelsPerGroup
        let tilesX = (g.outWidth + 1) / 2, tilesY = (g.outHeight + 1) / 2
        let blockRows = Swift.min(tilesY, Swift.max(1, tilesPerBlock / tilesX)), blockTiles = blockRows * tilesX
        let filters = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outGroup * inGroup)
        let transformed = UnsafeMutablePointer<Float>.allocate(capacity: 16 * inGroup * blockTiles)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outGroup * blockTiles)
        let scratch = UnsafeMutablePointer<Float>.allocate(
            capacity: Int(xad_winograd_scratch(Int32(blockRows), Int32(tilesX))))
        defer {
            for buffer in [filters, transformed, products, scratch] { buffer.deallocate() }
        }
        for group in 0..<g.groups {
            xad_winograd_filter(weight + group * outGroup * g.patchSize, Int32(outGroup), Int32(inGroup), filters)
            for n in 0..<g.batch {
                let source = input + (n * g.inChannels + group * inGroup) * g.inPlane
                let target = output + (n * g.outChannels + group * outGroup) * g.outPlane
                for top in stride(from: 0, to: tilesY, by: blockRows) {
                    let rows = Swift.min(blockRows, tilesY - top)
                    xad_winograd_input(cLevel, source, Int32(inGroup), Int32(g.inHeight), Int32(g.inWidth),
                                       Int32(g.padding.height), Int32(g.padding.width), Int32(top), Int32(rows),
                                       Int32(tilesX), transformed, Int32(blockTiles), scratch)
                    for xi in 0..<16 {
                        BLAS.sgemm(m: outGroup, n: rows * tilesX, k: inGroup,
                                   a: filters + xi * outGroup * inGroup, lda: inGroup,
                                   b: transformed + xi * inGroup * blockTiles, ldb: blockTiles,
                                   c: products + xi * outGroup * blockTiles, ldc: blockTiles)
                    }
                    xad_winograd_output(cLevel, products, Int32(blockTiles), Int32(outGroup),
                                        bias.map { $0 + group * outGroup }, Int32(top), Int32(rows), Int32(tilesX),
                                        target, Int32(g.outHeight), Int32(g.outWidth), scratch)
                }
            }
        }
    }
}
