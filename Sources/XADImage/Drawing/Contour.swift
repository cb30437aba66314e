import XADTensor

/// The image with the boundary of a binary mask painted in `color`: every mask pixel that has a
/// non-mask pixel among its 8 neighbours. Pixels beyond the image's edge count as outside the
/// mask, so a region touching the edge is closed along it. Mask pixels are those `>= 0.5`.
///
/// ```swift
/// let shown = try drawContour(of: groundTruth, color: .green, on: image)   // the true defect outline
/// ```
/// - Parameters:
///   - mask: `[H, W]`, `[1, H, W]` or `[1, 1, H, W]` with the image's height and width.
///   - color: the outline's colour, each component in 0...1.
///   - image: one `[C, H, W]` or `[1, C, H, W]` image in 0...1, C = 1 or 3.
/// - Returns: `[3, H, W]`, or `[1, 3, H, W]` for a batched image.
/// - Throws: `TensorError` when the sizes differ, a shape is wrong, the mask holds NaN or
///   infinity, or the colour is outside 0...1.
public func drawContour(of mask: Tensor, color: RGBColor, on image: Tensor) throws -> Tensor {
    let color = try color.validated("drawContour")
    var canvas = try Canvas(image, "drawContour")
    let (height, width) = try ColorMap.spatialSize(of: mask, "drawContour")
    guard height == canvas.height, width == canvas.width else {
        throw TensorError(.shapeMismatch, "drawContour", "mask shape \(mask.shape) does not match image shape \(image.shape)")
    }
    let inside = try ColorMap.finiteValues(of: mask, "drawContour").map { $0 >= 0.5 }
    func isInside(_ x: Int, _ y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height && inside[y * width + x]
    }
    for y in 0..<height {
        for x in 0..<width where inside[y * width + x] {
            let onBoundary = (-1...1).contains { dy in (-1...1).contains { dx in !isInside(x + dx, y + dy) } }
            if onBoundary { canvas.paint(x: x, y: y, color) }
        }
    }
    return canvas.tensor
}
