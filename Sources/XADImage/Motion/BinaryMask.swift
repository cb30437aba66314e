/// A binary image, row-major (`pixels[y * width + x]`): foreground masks of the background model
/// and frame differencing, cleaned by morphology and split into ``Region``s.
///
/// ```swift
/// let moving = FrameDifference.mask(previous, current, threshold: 0.06)
///     .opened(size: 3).closed(size: 5)
/// let objects = moving.regions(minimumArea: 40)            // boxes of the moving blobs
/// ```
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` flags, row-major; true is foreground.
    public var pixels: [Bool] {
        didSet { precondition(pixels.count == width * height, "BinaryMask.pixels count changed") }
    }

    /// A mask from row-major flags; throws when the count is not `width * height`.
    public init(width: Int, height: Int, pixels: [Bool]) throws {
        guard width > 0, height > 0, pixels.count == width * height else {
            throw ImageError(.invalidArgument, "binary mask", "\(pixels.count) pixels for \(width)x\(height)")
        }
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    /// An empty (all background) mask.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "BinaryMask: sides must be positive")
        (self.width, self.height) = (width, height)
        pixels = [Bool](repeating: false, count: width * height)
    }

    /// Pixels of `plane` at or above `threshold`.
    public init(_ plane: GrayPlane, threshold: Float) {
        (width, height) = (plane.width, plane.height)
        pixels = plane.values.map { $0 >= threshold }
    }

    /// The flag at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Bool { pixels[y * width + x] }

    /// The number of foreground pixels.
    public var area: Int { pixels.count { $0 } }

    // MARK: Morphology with a `size` x `size` square (odd sizes are centred).

    /// Erosion: a pixel stays foreground when the whole square around it is. Pixels outside the
    /// mask count as foreground, so objects touching the border are not eaten from it (OpenCV's
    /// default border for erosion).
    public func eroded(size: Int) -> BinaryMask { filtered(size: size, keepIfAll: true) }

    /// Dilation: a pixel becomes foreground when any pixel of the square around it is. Pixels
    /// outside the mask count as background.
    public func dilated(size: Int) -> BinaryMask { filtered(size: size, keepIfAll: false) }

    /// Opening (erosion, then dilation): removes specks smaller than the square.
    public func opened(size: Int) -> BinaryMask { eroded(size: size).dilated(size: size) }

    /// Closing (dilation, then erosion): fills holes and gaps smaller than the square.
    public func closed(size: Int) -> BinaryMask { dilated(size: size).eroded(size: size) }

    /// The square filter, separably: along rows, then columns, counting foreground pixels in a
    /// running window (outside pixels count as `keepIfAll`). Erosion's window is
    /// `[x - size/2, x + size - 1 - size/2]`; dilation's is its mirror image, so that opening
    /// never adds pixels and closing never removes them.
    private func filtered(size: Int, keepIfAll: Bool) -> BinaryMask {
        guard size > 1 else { return self }
        let (before, after) = keepIfAll ? (size / 2, size - 1 - size / 2) : (size - 1 - size / 2, size / 2)
        func pass(_ input: [Bool], length: Int, lines: Int, index: (Int, Int) -> Int) -> [Bool] {
            var output = input
            for line in 0..<lines {
                // Foreground count in the window [position - before, position + after].
                var count = 0
                for p in -before...after {
                    count += (p < 0 || p >= length) ? (keepIfAll ? 1 : 0) : (input[index(line, p)] ? 1 : 0)
                }
                for position in 0..<length {
                    output[index(line, position)] = keepIfAll ? count == size : count > 0
                    let leaving = position - before, entering = position + after + 1
                    count -= (leaving < 0 || leaving >= length) ? (keepIfAll ? 1 : 0) : (input[index(line, leaving)] ? 1 : 0)
                    count += (entering >= length) ? (keepIfAll ? 1 : 0) : (input[index(line, entering)] ? 1 : 0)
                }
            }
            return output
        }
        let (w, h) = (width, height)
        let rows = pass(pixels, length: w, lines: h) { line, position in line * w + position }
        let columns = pass(rows, length: h, lines: w) { line, position in position * w + line }
        return BinaryMask(unchecked: w, h, columns)
    }

    init(unchecked width: Int, _ height: Int, _ pixels: [Bool]) {
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }
}
