import XADDetect
import XADImage
import XADTensor

/// The patch grid of a result laid over the explained image: which pixels each grid cell covers.
/// Healing and nearest-normal exemplars use it to go from a patch (test or training) to pixels.
///
/// Cell `(r, c)` of a `gh x gw` grid over an `H x W` image covers rows `⌊r·H/gh⌋ ..< ⌊(r+1)·H/gh⌋`
/// and columns likewise: the preprocessing resizes the whole image to the model's input, so the
/// grid stretches over the whole image (centre-cropped preprocessing is refused).
struct PatchCells {
    let grid: Size2
    let imageSize: Size2

    /// - Throws: ``ExplainerError/notApplicable(method:reason:)`` when `setup` centre-crops (cells
    ///   would not cover the whole image); ``ExplainerError/invalidInput(_:)`` when the grid is
    ///   empty or larger than the image.
    init(grid: Size2, imageSize: Size2, setup: DetectorSetup, method: String) throws {
        if let reason = Self.unmetNeeds(of: setup) { throw ExplainerError.notApplicable(method: method, reason: reason) }
        guard grid.height >= 1, grid.width >= 1, imageSize.height >= grid.height, imageSize.width >= grid.width else {
            throw ExplainerError.invalidInput("\(method): a \(grid) patch grid does not fit a \(imageSize) image")
        }
        self.grid = grid
        self.imageSize = imageSize
    }

    /// Why patches of a detector with `setup` cannot be mapped to pixels (nil when they can):
    /// a centre-cropping preprocessing leaves the image's border out of the grid.
    static func unmetNeeds(of setup: DetectorSetup) -> String? {
        setup.preprocessing.centerCrop == nil ? nil
            : "it maps patches to pixels of the whole image, which a centre-cropping preprocessing does not keep"
    }

    /// The rows of cell row `row` (clamped to the image).
    func rows(_ row: Int) -> Range<Int> { bounds(row, cells: grid.height, pixels: imageSize.height) }

    /// The columns of cell column `column`.
    func columns(_ column: Int) -> Range<Int> { bounds(column, cells: grid.width, pixels: imageSize.width) }

    private func bounds(_ cell: Int, cells: Int, pixels: Int) -> Range<Int> {
        let clamped = Swift.min(Swift.max(cell, 0), cells - 1)
        return (clamped * pixels / cells)..<((clamped + 1) * pixels / cells)
    }

    /// Whether cell `(row, column)` overlaps the pixels `target` looks at (every cell unless the
    /// target is a region).
    func isInside(row: Int, column: Int, of target: ExplanationTarget) -> Bool {
        guard case .region(let x1, let y1, let x2, let y2) = target else { return true }
        return rows(row).overlaps(y1..<Swift.max(y1, y2)) && columns(column).overlaps(x1..<Swift.max(x1, x2))
    }

    /// The highest-scoring cell (row-major index) among those `target` looks at.
    func mostAnomalousCell(_ patchScores: Tensor, target: ExplanationTarget) throws -> Int {
        let scores = patchScores.scalars
        let candidates = scores.indices.filter { isInside(row: $0 / grid.width, column: $0 % grid.width, of: target) }
        guard let worst = candidates.max(by: { scores[$0] < scores[$1] }) else {
            throw ExplainerError.invalidTarget("the target region covers no patch of the \(grid) grid")
        }
        return worst
    }
}
