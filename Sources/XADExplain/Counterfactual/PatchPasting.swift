import XADTensor

/// Pastes pieces of normal training images over cells of an image, feathered: what ``Healing``
/// does once it knows which cells to heal and from where.
///
/// Each cell of a piece has weight 1 on itself and a raised cosine falling to 0 over `feather`
/// cells beyond it. The pasted value at a pixel is the weighted mean of the pieces reaching it,
/// and the input shows through by `1 - min(1, Σ weights)`.
struct PatchPasting {
    /// Cells that take their pixels from one training image, shifted by one pixel offset.
    struct Piece {
        /// Row-major cells of the grid.
        var cells: [Int]
        /// The training image.
        var image: Int
        /// Source pixel = target pixel + (dy, dx), clamped to the image.
        var dy: Int
        var dx: Int
    }

    let cells: PatchCells
    /// Fade width in cells.
    let feather: Float
    /// Whether a piece is shifted to the input's mean over its feathered ring.
    let matchBrightness: Bool

    /// `image` (`[1, C, H, W]`) with `pieces` pasted; `load(i)` gives training image `i` at the
    /// image's size and channel count.
    func paste(_ pieces: [Piece], into image: Tensor, load: (Int) throws -> Tensor) throws -> Tensor {
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let plane = height * width
        let reachY = Int((feather * Float(height) / Float(cells.grid.height)).rounded(.up))
        let reachX = Int((feather * Float(width) / Float(cells.grid.width)).rounded(.up))
        let cellOfRow = (0..<cells.grid.height).flatMap { row in cells.rows(row).map { _ in row } }
        let cellOfColumn = (0..<cells.grid.width).flatMap { column in cells.columns(column).map { _ in column } }
        let input = image.scalars
        var weights = [Float](repeating: 0, count: plane)
        var pasted = [Float](repeating: 0, count: channels * plane)
        var loaded: [Int: [Float]] = [:]
        for piece in pieces {
            if loaded[piece.image] == nil { loaded[piece.image] = try load(piece.image).scalars }
            guard let source = loaded[piece.image] else { continue }
            // This piece's weights over the pixels its cells reach.
            var local: [Int: Float] = [:]
            for cell in piece.cells {
                let (rows, columns) = (cells.rows(cell / cells.grid.width), cells.columns(cell % cells.grid.width))
                for y in Swift.max(0, rows.lowerBound - reachY)..<Swift.min(height, rows.upperBound + reachY) {
                    let wy = Self.fade(outside: rows, at: y, reach: reachY)
                    for x in Swift.max(0, columns.lowerBound - reachX)..<Swift.min(width, columns.upperBound + reachX) {
                        let weight = wy * Self.fade(outside: columns, at: x, reach: reachX)
                        if weight > 0 { local[y * width + x, default: 0] += weight }
                    }
                }
            }
            func sourceIndex(_ p: Int) -> Int {
                Swift.min(Swift.max(p / width + piece.dy, 0), height - 1) * width + Swift.min(Swift.max(p % width + piece.dx, 0), width - 1)
            }
            var shift = [Float](repeating: 0, count: channels)
            if matchBrightness {
                let members = Set(piece.cells)
                let ring = local.keys.filter { !members.contains(cellOfRow[$0 / width] * cells.grid.width + cellOfColumn[$0 % width]) }
                if !ring.isEmpty {
                    for c in 0..<channels {
                        let difference = ring.reduce(Float(0)) { $0 + input[c * plane + $1] - source[c * plane + sourceIndex($1)] }
                        shift[c] = difference / Float(ring.count)
                    }
                }
            }
            for (p, weight) in local {
                weights[p] += weight
                let from = sourceIndex(p)
                for c in 0..<channels {
                    pasted[c * plane + p] += weight * Swift.min(Swift.max(source[c * plane + from] + shift[c], 0), 1)
                }
            }
        }
        return Tensor(shape: image.shape) { out in
            for c in 0..<channels {
                for p in 0..<plane {
                    let total = weights[p], i = c * plane + p
                    guard total > 0 else { out[i] = input[i]; continue }
                    let alpha = Swift.min(total, 1)
                    out[i] = alpha * pasted[i] / total + (1 - alpha) * input[i]
                }
            }
        }
    }

    /// 1 inside `range`, then a raised cosine falling to 0 at `reach` pixels beyond it.
    static func fade(outside range: Range<Int>, at position: Int, reach: Int) -> Float {
        let distance = position < range.lowerBound ? range.lowerBound - position : position - (range.upperBound - 1)
        guard distance > 0 else { return 1 }
        guard distance < reach else { return 0 }
        return 0.5 * (1 + _cos(Float.pi * Float(distance) / Float(reach)))
    }
}
