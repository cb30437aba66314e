import XADDetect
import XADTensor

extension ExplanationTarget {
    /// The explained number of each map in `maps` (`[N, H, W]`, at the explained image's size),
    /// as `[N]`; recorded on the tape when the maps are, so its gradient can be asked for.
    ///
    /// - ``imageScore``: the map's maximum. This is PaDiM's image score exactly; for PatchCore,
    ///   whose image score re-weights the largest patch distance (Eq. 7), it is the maximum of the
    ///   smoothed map instead, the differentiable part of that score.
    /// - ``region(x1:y1:x2:y2:)``: the mean over the rectangle.
    /// - ``topK(_:)``: the mean of the `k` largest values (chosen on the values, then fixed).
    /// - Throws: ``ExplainerError/invalidTarget(_:)`` for an empty rectangle or one reaching
    ///   outside the image, or `k` outside `1...H·W`.
    public func values(of maps: Tensor) throws -> Tensor {
        guard maps.rank == 3 else { throw ExplainerError.invalidTarget("maps must be [N, H, W], got \(maps.shape)") }
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        switch self {
        case .imageScore:
            return try maps.max(axes: [1, 2])
        case .region(let x1, let y1, let x2, let y2):
            guard x1 >= 0, y1 >= 0, x2 <= width, y2 <= height, x1 < x2, y1 < y2 else {
                throw ExplainerError.invalidTarget("region x \(x1)..<\(x2), y \(y1)..<\(y2) is empty or outside the \(width) x \(height) image")
            }
            let mask = Tensor(shape: [1, height, width]) { out in
                for y in 0..<height { for x in 0..<width { out[y * width + x] = (y1..<y2).contains(y) && (x1..<x2).contains(x) ? 1 : 0 } }
            }
            return try (maps * mask).sum(axes: [1, 2]) / Float((x2 - x1) * (y2 - y1))
        case .topK(let k):
            guard k >= 1, k <= height * width else {
                throw ExplainerError.invalidTarget("top-k needs 1 <= k <= \(height * width) (the map's pixels), got \(k)")
            }
            let plane = height * width
            let mask = Tensor(shape: maps.shape) { out in
                maps.withUnsafeBufferPointer { values in
                    for n in 0..<count {
                        let order = (0..<plane).sorted { values[n * plane + $0] > values[n * plane + $1] }
                        for i in 0..<plane { out[n * plane + i] = 0 }
                        for i in order.prefix(k) { out[n * plane + i] = 1 }
                    }
                }
            }
            return try (maps * mask).sum(axes: [1, 2]) / Float(k)
        }
    }

    /// The target of maps computed at the model's resolution (`[N, h, w]`), resized (bilinear)
    /// to the explained image's size first, so regions are in image pixels and the value is the
    /// one `AnomalyDetector.score(image:)`'s map gives.
    public func values(of maps: Tensor, at imageSize: Size2) throws -> Tensor {
        guard maps.rank == 3 else { throw ExplainerError.invalidTarget("maps must be [N, H, W], got \(maps.shape)") }
        let (count, height, width) = (maps.shape[0], maps.shape[1], maps.shape[2])
        guard Size2(height: height, width: width) != imageSize else { return try values(of: maps) }
        return try values(of: try maps.reshaped([count, 1, height, width]).resized(to: imageSize, mode: .bilinear)
            .reshaped([count, imageSize.height, imageSize.width]))
    }
}
