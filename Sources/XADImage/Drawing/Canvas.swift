import XADTensor

/// A single RGB image being drawn on: planar `[3, height, width]` values in 0...1.
///
/// Drawing functions read their target image into a canvas (gray becomes RGB), paint, and hand
/// back a tensor of the target's rank, so `[C, H, W]` stays `[3, H, W]` and `[1, C, H, W]` stays
/// `[1, 3, H, W]`.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [Float]
    /// Whether ``tensor`` returns the batch axis.
    var isBatched = false

    /// A blank canvas of one colour.
    init(width: Int, height: Int, background: RGBColor) {
        self.width = width
        self.height = height
        pixels = background.components.flatMap { [Float](repeating: $0, count: width * height) }
    }

    /// The canvas holding `image`, a single `[1, C, H, W]` or `[C, H, W]` image with 1 or 3 channels.
    /// - Throws: `TensorError` naming `operation` for another shape or a NaN value.
    init(_ image: Tensor, _ operation: String) throws {
        let layout = try ImageLayout(image, operation, allowedChannels: [1, 3])
        guard layout.batch == 1 else {
            throw TensorError(.shapeMismatch, operation, "image shape \(image.shape) holds \(layout.batch) images; draw on one at a time")
        }
        let rgb = try image.grayscaleToRGB()
        guard !rgb.withUnsafeBufferPointer({ $0.contains(where: \.isNaN) }) else {
            throw TensorError(.nonFinite, operation, "image of shape \(image.shape) contains NaN")
        }
        width = layout.width
        height = layout.height
        pixels = rgb.scalars
        isBatched = layout.isBatched
    }

    /// The canvas as a tensor: `[3, H, W]`, or `[1, 3, H, W]` when it was read from a batched image.
    var tensor: Tensor {
        let shape = isBatched ? [1, 3, height, width] : [3, height, width]
        return pixels.withUnsafeBufferPointer { source in
            Tensor(shape: shape) { out in _ = out.initialize(from: source) }
        }
    }

    /// Paints one pixel; points outside the canvas are ignored (shapes are clipped).
    mutating func paint(x: Int, y: Int, _ color: RGBColor) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let plane = width * height, offset = y * width + x
        pixels[offset] = color.red
        pixels[plane + offset] = color.green
        pixels[2 * plane + offset] = color.blue
    }

    /// Paints the rectangle `x..<x+w`, `y..<y+h`, clipped to the canvas.
    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor) {
        for row in Swift.max(y, 0)..<Swift.max(Swift.min(y + h, height), Swift.max(y, 0)) {
            for column in Swift.max(x, 0)..<Swift.max(Swift.min(x + w, width), Swift.max(x, 0)) {
                paint(x: column, y: row, color)
            }
        }
    }

    /// Copies `other` with its top-left corner at (`x`, `y`), clipped to this canvas.
    mutating func place(_ other: Canvas, x: Int, y: Int) {
        let plane = width * height, otherPlane = other.width * other.height
        for channel in 0..<3 {
            for row in 0..<other.height where y + row >= 0 && y + row < height {
                for column in 0..<other.width where x + column >= 0 && x + column < width {
                    pixels[channel * plane + (y + row) * width + x + column] =
                        other.pixels[channel * otherPlane + row * other.width + column]
                }
            }
        }
    }
}
