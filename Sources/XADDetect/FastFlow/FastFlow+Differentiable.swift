import XADImage
import XADTensor

/// FastFlow's map recomputed with recorded operations: backbone, layer norms, coupling blocks and
/// the likelihood map are all smooth, so d map / d input and d map / d tap come from the tape.
extension FastFlow: DifferentiableDetector {
    /// The map ``score(batch:)`` returns, `[N, H, W]` (`FastFlowNetwork.anomalyMap(_:size:)`),
    /// and the backbone's maps.
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let maps = try extractor.tapMaps(batch)
        let scaleMaps = try Self.scaleMaps(maps, layers: extractor.layers)
        for (map, shape) in zip(scaleMaps, network.shapes) where Array(map.shape.dropFirst()) != shape {
            throw DetectorError.invalidInput("FastFlow was trained on feature maps \(shape); this batch \(batch.shape) gives \(Array(map.shape.dropFirst()))")
        }
        let map = try network.anomalyMap(scaleMaps, size: Size2(height: batch.shape[2], width: batch.shape[3]))
        return DifferentiableOutput(map: map, activations: maps)
    }
}
