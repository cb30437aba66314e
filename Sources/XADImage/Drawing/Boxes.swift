import XADTensor

/// An axis-aligned rectangle in pixel coordinates: columns `x..<x + width`, rows `y..<y + height`
/// (the top-left pixel is (0, 0)). Named apart from the dataset and metric `Box` types so that a
/// file importing several modules sees no ambiguity.
///
/// ```swift
/// let defect = PixelBox(x: 40, y: 12, width: 25, height: 18)
/// let same = PixelBox(x1: 40, y1: 12, x2: 65, y2: 30)       // corners, the second exclusive
/// ```
public struct PixelBox: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The box from its top-left corner (inclusive) to its bottom-right corner (exclusive), as
    /// DeepPCB and most detection formats store boxes. Corners too far apart for `Int` give
    /// `Int.max`, which ``drawBoxes(_:color:thickness:on:)`` refuses.
    public init(x1: Int, y1: Int, x2: Int, y2: Int) {
        func span(_ low: Int, _ high: Int) -> Int {
            let (difference, overflow) = high.subtractingReportingOverflow(low)
            return overflow ? .max : difference
        }
        self.init(x: x1, y: y1, width: span(x1, x2), height: span(y1, y2))
    }
}

/// The image with the outline of each box painted in `color`, `thickness` pixels wide, drawn
/// inside the box (a 1-pixel outline covers the box's first and last rows and columns). Boxes
/// are clipped to the image; a box wholly outside it draws nothing.
///
/// ```swift
/// let shown = try drawBoxes(detections, color: .red, thickness: 2, on: image)
/// ```
/// - Parameters:
///   - boxes: the boxes, in the image's pixel coordinates.
///   - color: the outline's colour, each component in 0...1.
///   - thickness: the outline's width in pixels, at least 1.
///   - image: one `[C, H, W]` or `[1, C, H, W]` image in 0...1, C = 1 or 3.
/// - Returns: `[3, H, W]`, or `[1, 3, H, W]` for a batched image.
/// - Throws: `TensorError` when a box has no area or a coordinate beyond ±2^30, `thickness` is below 1, the colour is
///   outside 0...1 or the image's shape is wrong.
public func drawBoxes(_ boxes: [PixelBox], color: RGBColor, thickness: Int = 1, on image: Tensor) throws -> Tensor {
    let color = try color.validated("drawBoxes")
    guard thickness >= 1 else {
        throw TensorError(.invalidArgument, "drawBoxes", "thickness \(thickness) must be at least 1")
    }
    var canvas = try Canvas(image, "drawBoxes")
    for box in boxes {
        guard box.width > 0, box.height > 0 else {
            throw TensorError(.invalidArgument, "drawBoxes", "box \(box) has no area")
        }
        // Far-off coordinates cannot touch any image; refusing them keeps the sums below from overflowing.
        guard [box.x, box.y, box.width, box.height].allSatisfy({ abs($0) <= 1 << 30 }) else {
            throw TensorError(.invalidArgument, "drawBoxes", "box \(box) has a coordinate beyond ±2^30")
        }
        let band = Swift.min(thickness, box.width, box.height)
        canvas.fill(x: box.x, y: box.y, width: box.width, height: band, color)
        canvas.fill(x: box.x, y: box.y + box.height - band, width: box.width, height: band, color)
        canvas.fill(x: box.x, y: box.y, width: band, height: box.height, color)
        canvas.fill(x: box.x + box.width - band, y: box.y, width: band, height: box.height, color)
    }
    return canvas.tensor
}
