import Foundation

/// Farnebäck's polynomial expansion: every pixel's neighbourhood approximated, in the weighted
/// least-squares sense, by the quadratic
///
///     f(x, y) ≈ c + bx x + by y + axx x² + ayy y² + axy x y
///
/// with a Gaussian applicability `exp(-(x² + y²) / 2 sigma²)` over the `(2 radius + 1)²` pixels
/// around it (G. Farnebäck, "Two-Frame Motion Estimation Based on Polynomial Expansion",
/// SCIA 2003, section 2). Because the applicability is separable, the six coefficients are
/// correlations of the plane with a handful of 1-D kernels (`g`, `x g`, `x² g`) along columns and
/// then rows, scaled by the inverse of the basis' Gram matrix; borders repeat the edge pixel. The
/// conventions (kernel, Gram matrix, border) are those of OpenCV's `calcOpticalFlowFarneback`,
/// which calls the radius `poly_n` (5 or 7) and the deviation `poly_sigma` (1.1 or 1.5).
///
/// ```swift
/// let expansion = PolynomialExpansion(radius: 5, sigma: 1.1)
/// let coefficients = expansion(frame)      // by, bx, ayy, axx, axy at every pixel
/// ```
public struct PolynomialExpansion: Sendable {
    /// Half the applicability's side: it spans `2 radius + 1` pixels.
    public let radius: Int
    /// The applicability's standard deviation in pixels.
    public let sigma: Double
    /// The applicability `g[k]`, `k g[k]` and `k² g[k]` for `k` in `0...radius` (symmetric).
    private let g: [Float], xg: [Float], xxg: [Float]
    /// The entries of the inverse Gram matrix that the coefficients need (OpenCV's `ig11`, `ig03`,
    /// `ig33`, `ig55`: linear terms, constant-square coupling, squares, cross term).
    private let linearScale: Float, constantSquare: Float, squareScale: Float, crossScale: Float

    /// The coefficients of every pixel of a plane.
    public struct Coefficients: Sendable {
        public let width: Int
        public let height: Int
        /// Five values per pixel, row-major: `by, bx, ayy, axx, axy` (pixel `i` at `5 i ..< 5 i + 5`).
        public var values: [Float]

        /// The quadratic's coefficients at pixel (x, y).
        public subscript(x: Int, y: Int) -> (by: Float, bx: Float, ayy: Float, axx: Float, axy: Float) {
            let base = 5 * (y * width + x)
            return (values[base], values[base + 1], values[base + 2], values[base + 3], values[base + 4])
        }
    }

    /// An expansion over `2 radius + 1` pixels with a Gaussian of `sigma` (at least 1 and above 0).
    public init(radius: Int, sigma: Double) {
        precondition(radius >= 1 && sigma > 0, "PolynomialExpansion: radius must be at least 1 and sigma positive")
        (self.radius, self.sigma) = (radius, sigma)
        let raw = (0...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = raw[0] + 2 * raw.dropFirst().reduce(0, +)
        let weights = raw.map { Float($0 / total) }
        g = weights
        xg = weights.indices.map { Float($0) * weights[$0] }
        xxg = weights.indices.map { Float($0 * $0) * weights[$0] }
        // The Gram matrix of the basis (1, x, y, x², y², xy) under the applicability: the linear and
        // cross terms are uncoupled; 1, x² and y² form the block [[m0, m2, m2], [m2, m4, m22], [m2, m22, m4]].
        var (m0, m2, m4, m22) = (0.0, 0.0, 0.0, 0.0)
        for y in -radius...radius {
            for x in -radius...radius {
                let w = Double(weights[abs(y)]) * Double(weights[abs(x)])
                let (xx, yy) = (Double(x * x), Double(y * y))
                m0 += w; m2 += w * xx; m4 += w * xx * xx; m22 += w * xx * yy
            }
        }
        // Inverse of the 3 x 3 block by cofactors: entry (0, 1) and (1, 1).
        let determinant = m0 * (m4 * m4 - m22 * m22) - m2 * (m2 * m4 - m22 * m2) + m2 * (m2 * m22 - m4 * m2)
        constantSquare = Float(-(m2 * m4 - m2 * m22) / determinant)
        squareScale = Float((m0 * m4 - m2 * m2) / determinant)
        linearScale = Float(1 / m2)
        crossScale = Float(1 / m22)
    }

    /// The coefficients of `plane` at every pixel.
    public func callAsFunction(_ plane: GrayPlane) -> Coefficients {
        let (width, height, n) = (plane.width, plane.height, radius)
        let source = plane.values
        var out = [Float](repeating: 0, count: 5 * width * height)
        // One row of column sums (Σ g I, Σ y g I, Σ y² g I), padded by n pixels repeated at each end.
        var row = [Float](repeating: 0, count: 3 * (width + 2 * n))
        for y in 0..<height {
            let centre = y * width
            for x in 0..<width {
                let p = 3 * (x + n)
                row[p] = source[centre + x] * g[0]; row[p + 1] = 0; row[p + 2] = 0
            }
            for k in 1...n {
                let above = max(y - k, 0) * width, below = min(y + k, height - 1) * width
                let (gk, xgk, xxgk) = (g[k], xg[k], xxg[k])
                for x in 0..<width {
                    let (a, b) = (source[above + x], source[below + x])
                    let p = 3 * (x + n)
                    row[p] += gk * (a + b)
                    row[p + 1] += xgk * (b - a)
                    row[p + 2] += xxgk * (a + b)
                }
            }
            for x in 0..<n {
                for c in 0..<3 {
                    row[3 * x + c] = row[3 * n + c]
                    row[3 * (width + n + x) + c] = row[3 * (width + n - 1) + c]
                }
            }
            for x in 0..<width {
                let p = 3 * (x + n)
                var (sum, sumX, sumY, sumXX, sumYY, sumXY) = (row[p] * g[0], Float(0), row[p + 1] * g[0], Float(0), row[p + 2] * g[0], Float(0))
                for k in 1...n {
                    let (right, left) = (p + 3 * k, p - 3 * k)
                    let outer = row[right] + row[left]
                    sum += outer * g[k]
                    sumXX += outer * xxg[k]
                    sumX += (row[right] - row[left]) * xg[k]
                    sumY += (row[right + 1] + row[left + 1]) * g[k]
                    sumXY += (row[right + 1] - row[left + 1]) * xg[k]
                    sumYY += (row[right + 2] + row[left + 2]) * g[k]
                }
                let o = 5 * (centre + x)
                out[o] = sumY * linearScale
                out[o + 1] = sumX * linearScale
                out[o + 2] = sum * constantSquare + sumYY * squareScale
                out[o + 3] = sum * constantSquare + sumXX * squareScale
                out[o + 4] = sumXY * crossScale
            }
        }
        return Coefficients(width: width, height: height, values: out)
    }
}
