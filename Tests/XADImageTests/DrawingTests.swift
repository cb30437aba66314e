import Foundation
import Testing
import XADImage
import XADTensor

/// Overlays, contours, boxes and captioned panels, checked pixel by pixel.
@Suite("Drawing: overlay, contour, boxes, panels")
struct DrawingTests {
    /// The (x, y) positions where a `[3, H, W]` or `[1, 3, H, W]` tensor shows `color` exactly.
    func pixels(of color: RGBColor, in image: Tensor) -> Set<[Int]> {
        let height = image.shape[image.rank - 2], width = image.shape[image.rank - 1], plane = height * width
        let values = image.scalars
        var found: Set<[Int]> = []
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] == color.red
                && values[plane + y * width + x] == color.green && values[2 * plane + y * width + x] == color.blue {
                found.insert([x, y])
            }
        }
        return found
    }

    /// Every (x, y) with `xs.contains(x)` and `ys.contains(y)`.
    func grid(_ xs: ClosedRange<Int>, _ ys: ClosedRange<Int>) -> Set<[Int]> {
        Set(xs.flatMap { x in ys.map { y in [x, y] } })
    }

    @Test func overlayBlendsTheColouredMapOverTheImage() throws {
        let image = Tensor(shape: [1, 1, 2, 3], repeating: 0.2)
        let heat = try Tensor(shape: [2, 3], scalars: [0, 0.5, 1, 1, 1, 1])
        let shown = try overlay(heatmap: heat, on: image, alpha: 0.25, colorMap: .jet, range: 0...1)
        #expect(shown.shape == [1, 3, 2, 3])
        // Pixel (0, 0): jet(0) = (0, 0, 0.5); 0.75 · 0.2 + 0.25 · c.
        let expected: [Float] = [0.15, 0.15, 0.275]
        for channel in 0..<3 { #expect(abs(shown[0, channel, 0, 0] - expected[channel]) < 1e-6) }
        // Pixel (2, 0): jet(1) = (0.5, 0, 0).
        #expect(abs(shown[0, 0, 0, 2] - 0.275) < 1e-6 && abs(shown[0, 2, 0, 2] - 0.15) < 1e-6)

        do {
            _ = try overlay(heatmap: Tensor.zeros([2, 2]), on: image)
            Issue.record("no error for mismatched sizes")
        } catch let error as TensorError {
            #expect(error.description == "overlay: heat map shape [2, 2] does not match image shape [1, 1, 2, 3] (resample it first)")
        }
        #expect(throws: TensorError.self) {
            try overlay(heatmap: Tensor(shape: [2, 3], scalars: [0, 0, .nan, 0, 0, 0]), on: image)
        }
        #expect(throws: TensorError.self) { try overlay(heatmap: heat, on: image, alpha: 1.5) }
        #expect(throws: TensorError.self) { try overlay(heatmap: heat, on: Tensor.zeros([2, 2, 3])) }
    }

    @Test func contourPaintsTheMasksEightNeighbourBoundary() throws {
        // A 4-wide, 3-tall rectangle at columns 2...5, rows 2...4, plus one isolated pixel.
        var mask = [Float](repeating: 0, count: 7 * 8)
        for y in 2...4 { for x in 2...5 { mask[y * 8 + x] = 1 } }
        mask[0 * 8 + 7] = 0.9
        let shown = try drawContour(of: Tensor(shape: [1, 1, 7, 8], scalars: mask), color: .green,
                                    on: Tensor.zeros([3, 7, 8]))
        #expect(shown.shape == [3, 7, 8])
        let rectangle = grid(2...5, 2...4).subtracting(grid(3...4, 3...3))
        #expect(pixels(of: .green, in: shown) == rectangle.union([[7, 0]]))

        // A mask covering the whole image is closed along the image's edge.
        let full = try drawContour(of: Tensor.ones([4, 5]), color: .red, on: Tensor.zeros([1, 4, 5]))
        #expect(pixels(of: .red, in: full) == grid(0...4, 0...3).subtracting(grid(1...3, 1...2)))
        #expect(throws: TensorError.self) { try drawContour(of: Tensor.zeros([4, 4]), color: .red, on: Tensor.zeros([3, 4, 5])) }
        #expect(throws: TensorError.self) {
            try drawContour(of: Tensor.zeros([4, 5]), color: RGBColor(red: 2, green: 0, blue: 0), on: Tensor.zeros([3, 4, 5]))
        }
    }

    @Test func boxesAreOutlinedInsideAndClippedToTheImage() throws {
        let canvas = Tensor.zeros([3, 10, 12])
        let one = try drawBoxes([PixelBox(x: 2, y: 3, width: 5, height: 4)], color: .yellow, on: canvas)
        #expect(pixels(of: .yellow, in: one) == grid(2...6, 3...6).subtracting(grid(3...5, 4...5)))

        let thick = try drawBoxes([PixelBox(x: 2, y: 3, width: 6, height: 6)], color: .red, thickness: 2, on: canvas)
        #expect(pixels(of: .red, in: thick) == grid(2...7, 3...8).subtracting(grid(4...5, 5...6)))

        let clipped = try drawBoxes([PixelBox(x: -2, y: -2, width: 5, height: 5), PixelBox(x: 50, y: 50, width: 3, height: 3)],
                                    color: .cyan, on: canvas)
        #expect(pixels(of: .cyan, in: clipped) == grid(0...2, 2...2).union(grid(2...2, 0...2)))

        do {
            _ = try drawBoxes([PixelBox(x: 0, y: 0, width: 0, height: 3)], color: .red, on: canvas)
            Issue.record("no error for an empty box")
        } catch let error as TensorError {
            #expect(error.description == "drawBoxes: box PixelBox(x: 0, y: 0, width: 0, height: 3) has no area")
        }
        #expect(PixelBox(x1: 2, y1: 3, x2: 7, y2: 7) == PixelBox(x: 2, y: 3, width: 5, height: 4))
        #expect(throws: TensorError.self) {
            try drawBoxes([PixelBox(x1: -5, y1: 0, x2: Int.max, y2: 3)], color: .red, on: canvas)
        }
        #expect(throws: TensorError.self) { try drawBoxes([], color: .red, thickness: 0, on: canvas) }
        #expect(throws: TensorError.self) { try drawBoxes([], color: .red, on: Tensor.zeros([2, 3, 4, 4])) }
    }

    /// Two tiles: a red 10x12 RGB image and a gray 8x6 image, captions "AB" and "xyz".
    func twoTilePanel() throws -> Tensor {
        let red = try Tensor(shape: [3, 1, 1], scalars: [1, 0, 0]).expanded(to: [3, 10, 12])
        return try sideBySide([red, Tensor(shape: [1, 1, 8, 6], repeating: 0.5)], captions: ["AB", "xyz"])
    }

    @Test func sideBySideLaysOutTilesUnderCaptionStrips() throws {
        let panel = try twoTilePanel()
        // Width: 4 + 12 + 4 + 6 + 4; height: 4 + (9-pixel caption strip + 10) + 4.
        #expect(panel.shape == [3, 27, 30])
        let red = pixels(of: .red, in: panel)
        #expect(red == grid(4...15, 13...22))
        let gray = pixels(of: RGBColor(red: 0.5, green: 0.5, blue: 0.5), in: panel)
        #expect(gray == grid(20...25, 13...20))
        #expect(panel[0, 21, 20] == 1)                                    // background below the short tile

        // Caption strips: the glyphs of "AB" (18 + 20 lit pixels), and of "x" only, since a
        // 6-pixel tile fits one character; the glyphs start one pixel below the strip's top.
        let black = pixels(of: .black, in: panel)
        #expect(black.filter { $0[0] < 16 }.count == 38)
        #expect(black.filter { $0[0] >= 20 }.count == 9)
        #expect(black.allSatisfy { (5...11).contains($0[1]) })
        #expect(black.contains([5, 5]) && !black.contains([4, 5]))          // top row of "A" is .###.

        // Characters outside printable ASCII are drawn as "?".
        let tile = Tensor.zeros([1, 4, 12])
        #expect(try sideBySide([tile], captions: ["é\u{1F600}"]).scalars == sideBySide([tile], captions: ["??"]).scalars)
    }

    @Test func panelWrapsIntoRowsAndRejectsBadInput() throws {
        var panel = Panel(columns: 2, spacing: 1, textScale: 2)
        for _ in 0..<3 { panel.append(Tensor.zeros([1, 5, 5]), caption: "") }
        // Two columns of 5, three gaps of 1; two rows of (18-pixel strip + 5) and three gaps.
        #expect(try panel.rendered().shape == [3, 49, 13])

        #expect(throws: TensorError.self) { try Panel().rendered() }
        #expect(throws: TensorError.self) { try sideBySide([Tensor.zeros([3, 2, 2])], captions: []) }
        #expect(throws: TensorError.self) { try sideBySide([Tensor.zeros([2, 2, 2])], captions: ["two channels"]) }
        #expect(throws: TensorError.self) {
            try sideBySide([Tensor(shape: [1, 2, 2], scalars: [0, .nan, 0, 0])], captions: ["NaN"])
        }
    }

    @Test func panelSurvivesAPNGRoundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-drawing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("panel.png")
        try Image(tensor: try twoTilePanel()).write(to: url, format: .png)

        let read = try Image(contentsOf: url)
        #expect(read.width == 30 && read.height == 27 && read.channels == 3 && read.bitDepth == 8)
        #expect([read[4, 13, 0], read[4, 13, 1]] == [255, 0])        // red tile
        #expect(read[20, 13, 1] == 128)                                // 0.5 gray
        #expect(read[0, 0, 2] == 255 && read[5, 5, 0] == 0)            // background, text
    }
}
