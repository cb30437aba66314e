import XADImage
import XADModels
import XADTensor

extension PatchCore {
    /// The training patches PatchCore's coreset is chosen from: rows `[N, D]` with the training
    /// image and grid position of each, and the patch grid.
    struct HeldPatches {
        let rows: Tensor
        let sources: [PatchLocation]
        let grid: Size2
    }

    /// The patch features of `images`, streamed batch by batch: every patch while the images
    /// give at most ``Options/maximumFitPatches``, else `maximumFitPatches / images` of each
    /// image's patches (a seeded random choice, in grid order), so the rows held never pass the
    /// bound however many images there are.
    static func heldPatches(of images: any ImageSource, extractor: FeatureExtractor, options: Options,
                            preprocessing: Preprocessing, progress: FitProgress?) throws -> HeldPatches {
        let perImage = options.maximumFitPatches.map { Swift.max(1, $0 / Swift.max(images.count, 1)) }
        // A generator of its own, so the projection's and the first centre's draws stay those of
        // a fit that holds every patch.
        var sampler = SeededGenerator(seed: options.seed ^ 0x9E37_79B9_7F4A_7C15)
        var batches: [Tensor] = []
        var sources: [PatchLocation] = []
        var grid = Size2(0)
        try images.forEachPreparedBatch(size: options.batchSize, preprocessing: preprocessing, progress: progress) { batch, first in
            let features = try extractor(batch)
            grid = Size2(height: features.shape[2], width: features.shape[3])
            let positions = grid.height * grid.width
            let kept = keptPositions(of: positions, limit: perImage, generator: &sampler, images: batch.shape[0])
            let rows = try FeatureExtractor.patchMajor(features).reshaped([-1, extractor.channels])
            var indices: [Int] = []
            for (offset, chosen) in kept.enumerated() {
                for position in chosen {
                    indices.append(offset * positions + position)
                    sources.append(PatchLocation(image: first + offset, row: position / grid.width, column: position % grid.width))
                }
            }
            batches.append(indices.count == rows.shape[0] ? rows : try rows.rows(at: indices))
        }
        let rows = try Tensor.concatenate(batches, axis: 0)
        return HeldPatches(rows: rows, sources: sources, grid: grid)
    }

    /// The grid positions each of `images` images keeps: all of them within `limit`, else
    /// `limit` of them drawn without replacement, sorted.
    private static func keptPositions(of positions: Int, limit: Int?, generator: inout SeededGenerator,
                                      images: Int) -> [[Int]] {
        guard let limit, limit < positions else { return Array(repeating: Array(0..<positions), count: images) }
        return (0..<images).map { _ in
            var order = Array(0..<positions)
            for i in 0..<limit { order.swapAt(i, Int.random(in: i..<positions, using: &generator)) }
            return order.prefix(limit).sorted()
        }
    }
}
