import XADTensor

/// A heat map blended over an image: `(1 - alpha) · image + alpha · colorMap(heatmap)`, the way
/// anomalib and pytorch-grad-cam show anomaly and attribution maps.
///
/// The heat map is scaled by `range`, or by its own minimum and maximum when `range` is `nil`
/// (see ``ColorMap/apply(to:range:)``). A gray image is shown as RGB.
///
/// ```swift
/// let shown = try overlay(heatmap: result.map, on: image, alpha: 0.4, colorMap: .turbo, range: 0...1)
/// try Image(tensor: shown).write(to: url, format: .png)
/// ```
/// - Parameters:
///   - heatmap: `[H, W]`, `[1, H, W]` or `[1, 1, H, W]`, the image's height and width
///     (resample it first if it is smaller).
///   - image: one `[C, H, W]` or `[1, C, H, W]` image in 0...1, C = 1 or 3.
///   - alpha: the heat map's weight in the blend, in 0...1.
///   - colorMap: the colours the map's values are shown in.
///   - range: the values shown as the lowest and highest colours; `nil`: the map's own
///     minimum and maximum.
/// - Returns: `[3, H, W]`, or `[1, 3, H, W]` for a batched image.
/// - Throws: `TensorError` when the sizes differ, a shape or channel count is wrong, the heat
///   map holds NaN or infinity, or `alpha` is outside 0...1.
public func overlay(heatmap: Tensor, on image: Tensor, alpha: Float = 0.5, colorMap: ColorMap = .jet,
                    range: ClosedRange<Float>? = nil) throws -> Tensor {
    guard (0...1).contains(alpha) else {
        throw TensorError(.invalidArgument, "overlay", "alpha \(alpha) is outside 0...1")
    }
    var canvas = try Canvas(image, "overlay")
    let (height, width) = try ColorMap.spatialSize(of: heatmap, "overlay")
    guard height == canvas.height, width == canvas.width else {
        throw TensorError(.shapeMismatch, "overlay",
                          "heat map shape \(heatmap.shape) does not match image shape \(image.shape) (resample it first)")
    }
    let colors = try colorMap.apply(to: heatmap, range: range).scalars
    for i in canvas.pixels.indices {
        canvas.pixels[i] = (1 - alpha) * canvas.pixels[i] + alpha * colors[i]
    }
    return canvas.tensor
}
