/// A connected group of foreground pixels of a ``BinaryMask``.
public struct Region: Sendable, Hashable {
    /// The smallest box holding every pixel of the region.
    public var box: PixelBox
    /// The number of pixels.
    public var area: Int
    /// The mean pixel position (x, y).
    public var centroid: (x: Double, y: Double) { (sumX / Double(area), sumY / Double(area)) }

    private var sumX: Double
    private var sumY: Double

    init(box: PixelBox, area: Int, sumX: Double, sumY: Double) {
        (self.box, self.area, self.sumX, self.sumY) = (box, area, sumX, sumY)
    }
}

/// Which neighbours join pixels into one region.
public enum Connectivity: Sendable {
    /// Left, right, up, down.
    case four
    /// The four, plus the diagonals.
    case eight
}

extension BinaryMask {
    /// The connected regions of at least `minimumArea` pixels, ordered by their first pixel in
    /// row-major order (top to bottom, then left to right). Found by a flood fill with an
    /// explicit stack, so large regions do not recurse.
    public func regions(minimumArea: Int = 1, connectivity: Connectivity = .eight) -> [Region] {
        var visited = [Bool](repeating: false, count: pixels.count)
        var stack: [Int] = []
        var found: [Region] = []
        let neighbours: [(Int, Int)] = connectivity == .four
            ? [(-1, 0), (1, 0), (0, -1), (0, 1)]
            : [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
        for start in pixels.indices where pixels[start] && !visited[start] {
            visited[start] = true
            stack.append(start)
            var (minX, minY, maxX, maxY) = (width, height, -1, -1)
            var (area, sumX, sumY) = (0, 0.0, 0.0)
            while let index = stack.popLast() {
                let (x, y) = (index % width, index / width)
                area += 1
                sumX += Double(x)
                sumY += Double(y)
                (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
                for (dx, dy) in neighbours {
                    let (nx, ny) = (x + dx, y + dy)
                    guard nx >= 0, nx < width, ny >= 0, ny < height else { continue }
                    let neighbour = ny * width + nx
                    if pixels[neighbour] && !visited[neighbour] {
                        visited[neighbour] = true
                        stack.append(neighbour)
                    }
                }
            }
            if area >= minimumArea {
                found.append(Region(box: PixelBox(x1: minX, y1: minY, x2: maxX + 1, y2: maxY + 1), area: area, sumX: sumX, sumY: sumY))
            }
        }
        return found
    }
}
