import XADTensor

/// Images laid out in a grid on one RGB canvas, each under a caption strip: the usual figure
/// of an explanation (input, ground truth, anomaly map, attribution, ...).
///
/// Tiles fill rows left to right, `columns` per row (all in one row when `nil`). Each cell is
/// as wide as the widest tile in its column and as tall as the tallest tile in its row, plus a
/// caption strip above; tiles sit at the cell's top-left, `spacing` pixels apart. Captions use
/// the built-in 5 x 7 bitmap font at `textScale` and are cut to the cell's width. Gray tiles are
/// shown as RGB.
///
/// ```swift
/// var panel = Panel()
/// panel.append(image, caption: "input")
/// panel.append(try overlay(heatmap: map, on: image), caption: "PatchCore score 3.2")
/// let figure = try panel.rendered()                                   // [3, H, W]
/// try Image(tensor: figure).write(to: url, format: .png)
/// ```
public struct Panel: Sendable {
    /// One image and the caption written above it.
    public struct Tile: Sendable {
        /// One `[C, H, W]` or `[1, C, H, W]` image in 0...1, C = 1 or 3.
        public var image: Tensor
        public var caption: String

        public init(image: Tensor, caption: String) {
            self.image = image
            self.caption = caption
        }
    }

    public var tiles: [Tile]
    /// Tiles per row; `nil` puts every tile in one row.
    public var columns: Int?
    /// Pixels between tiles and around the edge.
    public var spacing: Int
    /// The size of a font pixel, in image pixels.
    public var textScale: Int
    public var background: RGBColor
    public var textColor: RGBColor

    public init(tiles: [Tile] = [], columns: Int? = nil, spacing: Int = 4, textScale: Int = 1,
                background: RGBColor = .white, textColor: RGBColor = .black) {
        self.tiles = tiles
        self.columns = columns
        self.spacing = spacing
        self.textScale = textScale
        self.background = background
        self.textColor = textColor
    }

    /// Adds a tile at the end.
    public mutating func append(_ image: Tensor, caption: String) {
        tiles.append(Tile(image: image, caption: caption))
    }

    /// The height of each caption strip: the glyph with one font pixel of margin above and below.
    public var captionHeight: Int { (BitmapFont.glyphHeight + 2) * textScale }

    /// The panel as one `[3, H, W]` RGB tensor.
    /// - Throws: `TensorError` when there are no tiles, a tile is not a single 1- or 3-channel
    ///   image or holds NaN, `columns` or `textScale` is below 1, `spacing` is negative, or a
    ///   colour is outside 0...1.
    public func rendered() throws -> Tensor {
        guard !tiles.isEmpty else { throw TensorError(.invalidArgument, "Panel", "a panel needs at least one tile") }
        guard spacing >= 0, textScale >= 1, (columns ?? 1) >= 1 else {
            throw TensorError(.invalidArgument, "Panel",
                              "spacing \(spacing) must be >= 0, textScale \(textScale) and columns \(columns ?? 1) >= 1")
        }
        let background = try background.validated("Panel"), textColor = try textColor.validated("Panel")
        let canvases = try tiles.map { try Canvas($0.image, "Panel") }
        let perRow = Swift.min(columns ?? tiles.count, tiles.count)
        let rowCount = (tiles.count + perRow - 1) / perRow
        var columnWidths = [Int](repeating: 0, count: perRow), rowHeights = [Int](repeating: 0, count: rowCount)
        for (index, tile) in canvases.enumerated() {
            columnWidths[index % perRow] = Swift.max(columnWidths[index % perRow], tile.width)
            rowHeights[index / perRow] = Swift.max(rowHeights[index / perRow], captionHeight + tile.height)
        }
        // Cell origins: spacing, then each cell followed by spacing.
        let xs = columnWidths.indices.map { spacing + columnWidths[..<$0].reduce(0, +) + $0 * spacing }
        let ys = rowHeights.indices.map { spacing + rowHeights[..<$0].reduce(0, +) + $0 * spacing }
        var canvas = Canvas(width: columnWidths.reduce(spacing, { $0 + $1 + spacing }),
                            height: rowHeights.reduce(spacing, { $0 + $1 + spacing }), background: background)
        for (index, tile) in canvases.enumerated() {
            let x = xs[index % perRow], y = ys[index / perRow]
            let fitting = Swift.max((columnWidths[index % perRow] / textScale + 1) / BitmapFont.advance, 0)
            BitmapFont.draw(String(tiles[index].caption.prefix(fitting)), x: x, y: y + textScale,
                            scale: textScale, color: textColor, on: &canvas)
            canvas.place(tile, x: x, y: y + captionHeight)
        }
        return canvas.tensor
    }
}

/// Images side by side in one row, each under its caption: `Panel(tiles:...).rendered()`.
///
/// ```swift
/// let figure = try sideBySide([image, maskRGB, shown], captions: ["input", "truth", "PaDiM"])
/// ```
/// - Returns: one `[3, H, W]` RGB tensor.
/// - Throws: `TensorError` when the counts of images and captions differ, or as
///   ``Panel/rendered()`` does.
public func sideBySide(_ images: [Tensor], captions: [String], spacing: Int = 4, textScale: Int = 1,
                       background: RGBColor = .white, textColor: RGBColor = .black) throws -> Tensor {
    guard images.count == captions.count else {
        throw TensorError(.invalidArgument, "sideBySide", "\(images.count) images but \(captions.count) captions")
    }
    return try Panel(tiles: zip(images, captions).map { Panel.Tile(image: $0, caption: $1) },
                     spacing: spacing, textScale: textScale, background: background, textColor: textColor).rendered()
}
