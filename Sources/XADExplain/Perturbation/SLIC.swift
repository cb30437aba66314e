import Foundation
import XADTensor

/// SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel
/// Methods", TPAMI 2012): k-means on (CIELAB colour, position) with each centre searching only a
/// `2S x 2S` window, `S = √(pixels / segments)`.
///
/// Centres start on a regular grid, moved to the lowest colour gradient in their 3 x 3
/// neighbourhood. A pixel joins the centre minimising `D² = d_lab² + (d_xy / S)² · m²` (`m` is
/// the compactness). After the iterations, connectivity is enforced as in the paper's code:
/// every 4-connected piece smaller than a quarter of the expected size joins the neighbouring
/// segment met just before it in raster order, and labels are renumbered `0..<count`.
///
/// ```swift
/// let superpixels = try SLIC(segments: 50).segment(image)   // image [1, 3, H, W] in 0...1
/// superpixels.labels[y * W + x]                              // 0..<superpixels.count
/// ```
public struct SLIC: Sendable, Hashable, Codable {
    /// The number of segments asked for (the result has about this many). Default 50.
    public var segments: Int
    /// The weight `m` of spatial distance against colour distance. Default 10.
    public var compactness: Float
    /// The k-means iterations. Default 10.
    public var iterations: Int

    public init(segments: Int = 50, compactness: Float = 10, iterations: Int = 10) {
        self.segments = segments
        self.compactness = compactness
        self.iterations = iterations
    }

    /// Segments an RGB image (`[1, 3, H, W]` in 0...1).
    /// - Throws: ``ExplainerError/invalidInput(_:)`` for another shape,
    ///   ``ExplainerError/invalidOption(_:)`` for invalid options.
    public func segment(_ image: Tensor) throws -> Superpixels {
        guard image.rank == 4, image.shape[0] == 1, image.shape[1] == 3, image.shape[2] > 0, image.shape[3] > 0 else {
            throw ExplainerError.invalidInput("SLIC needs one RGB image [1, 3, H, W], got shape \(image.shape)")
        }
        guard segments >= 1, compactness > 0, compactness.isFinite, iterations >= 1 else {
            throw ExplainerError.invalidOption("SLIC needs segments >= 1, a positive compactness and iterations >= 1; got \(segments), \(compactness), \(iterations)")
        }
        let height = image.shape[2], width = image.shape[3]
        let lab = SLIC.cielab(image.scalars, pixels: height * width)
        let step = max(Int((Double(height * width) / Double(segments)).squareRoot().rounded()), 1)
        var centres = SLIC.seeds(lab, height: height, width: width, step: step)
        var labels = [Int](repeating: 0, count: height * width)
        let spatialWeight = Double(compactness * compactness) / Double(step * step)
        for _ in 0..<iterations {
            var distance = [Double](repeating: .infinity, count: height * width)
            for (k, c) in centres.enumerated() {
                let cy = Int(c[4].rounded()), cx = Int(c[3].rounded())
                for y in max(cy - step, 0)..<min(cy + step + 1, height) {
                    for x in max(cx - step, 0)..<min(cx + step + 1, width) {
                        let i = y * width + x
                        let dl = lab[0][i] - c[0], da = lab[1][i] - c[1], db = lab[2][i] - c[2]
                        let dx = Double(x) - c[3], dy = Double(y) - c[4]
                        let d = dl * dl + da * da + db * db + (dx * dx + dy * dy) * spatialWeight
                        if d < distance[i] { distance[i] = d; labels[i] = k }
                    }
                }
            }
            var sums = [[Double]](repeating: [0, 0, 0, 0, 0, 0], count: centres.count)
            for y in 0..<height {
                for x in 0..<width {
                    let i = y * width + x, k = labels[i]
                    sums[k][0] += lab[0][i]; sums[k][1] += lab[1][i]; sums[k][2] += lab[2][i]
                    sums[k][3] += Double(x); sums[k][4] += Double(y); sums[k][5] += 1
                }
            }
            for k in centres.indices where sums[k][5] > 0 { centres[k] = (0..<5).map { sums[k][$0] / sums[k][5] } }
        }
        let minimumSize = max(height * width / (4 * centres.count), 1)
        return SLIC.connected(labels, height: height, width: width, minimumSize: minimumSize)
    }

    /// Initial centres `(L, a, b, x, y)` on a grid of spacing `step`, each moved to the lowest
    /// gradient in its 3 x 3 neighbourhood so that none starts on an edge.
    private static func seeds(_ lab: [[Double]], height: Int, width: Int, step: Int) -> [[Double]] {
        func gradient(_ y: Int, _ x: Int) -> Double {
            let up = max(y - 1, 0) * width + x, down = min(y + 1, height - 1) * width + x
            let left = y * width + max(x - 1, 0), right = y * width + min(x + 1, width - 1)
            return (0..<3).reduce(0.0) { sum, c in
                let gx = lab[c][right] - lab[c][left], gy = lab[c][down] - lab[c][up]
                return sum + gx * gx + gy * gy
            }
        }
        var centres: [[Double]] = []
        for gy in Swift.stride(from: step / 2, to: height, by: step) {
            for gx in Swift.stride(from: step / 2, to: width, by: step) {
                var best = (y: gy, x: gx, g: gradient(gy, gx))
                for y in max(gy - 1, 0)...min(gy + 1, height - 1) {
                    for x in max(gx - 1, 0)...min(gx + 1, width - 1) where gradient(y, x) < best.g {
                        best = (y, x, gradient(y, x))
                    }
                }
                let i = best.y * width + best.x
                centres.append([lab[0][i], lab[1][i], lab[2][i], Double(best.x), Double(best.y)])
            }
        }
        return centres
    }

    /// Relabels 4-connected pieces `0..<count`, merging pieces below `minimumSize` into the
    /// neighbouring segment met before them in raster order.
    private static func connected(_ labels: [Int], height: Int, width: Int, minimumSize: Int) -> Superpixels {
        var result = [Int](repeating: -1, count: labels.count)
        var next = 0
        for start in labels.indices where result[start] < 0 {
            let y0 = start / width, x0 = start % width
            let neighbours = [(y0, x0 - 1), (y0 - 1, x0), (y0, x0 + 1), (y0 + 1, x0)]
            let adjacent = neighbours.first { $0.0 >= 0 && $0.0 < height && $0.1 >= 0 && $0.1 < width && result[$0.0 * width + $0.1] >= 0 }
                .map { result[$0.0 * width + $0.1] }
            var piece = [start]
            result[start] = next
            var head = 0
            while head < piece.count {
                let i = piece[head]; head += 1
                let y = i / width, x = i % width
                for (ny, nx) in [(y, x - 1), (y - 1, x), (y, x + 1), (y + 1, x)]
                where ny >= 0 && ny < height && nx >= 0 && nx < width {
                    let j = ny * width + nx
                    if result[j] < 0 && labels[j] == labels[start] { result[j] = next; piece.append(j) }
                }
            }
            if piece.count < minimumSize, let adjacent {
                for i in piece { result[i] = adjacent }
            } else {
                next += 1
            }
        }
        return Superpixels(labels: result, count: next, size: Size2(height: height, width: width))
    }

    /// sRGB in 0...1 (`[3, pixels]` planes) to CIELAB planes `[L, a, b]` under D65.
    static func cielab(_ rgb: [Float], pixels: Int) -> [[Double]] {
        func linear(_ v: Float) -> Double {
            let c = Double(min(max(v, 0), 1))
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        var planes = [[Double]](repeating: [Double](repeating: 0, count: pixels), count: 3)
        for i in 0..<pixels {
            let r = linear(rgb[i]), g = linear(rgb[pixels + i]), b = linear(rgb[2 * pixels + i])
            let x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047
            let y = 0.212671 * r + 0.715160 * g + 0.072169 * b
            let z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883
            let fy = f(y)
            planes[0][i] = 116 * fy - 16
            planes[1][i] = 500 * (f(x) - fy)
            planes[2][i] = 200 * (fy - f(z))
        }
        return planes
    }
}

/// A segmentation into superpixels: one label per pixel, row-major, in `0..<count`.
public struct Superpixels: Sendable, Hashable {
    public let labels: [Int]
    public let count: Int
    public let size: Size2
}
