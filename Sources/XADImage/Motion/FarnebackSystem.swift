import Foundation

/// One displacement update of ``FarnebackFlow`` at one pyramid level: the per-pixel normal
/// equations of Farnebäck's method around the current flow, and their windowed solution.
///
/// At pixel `x` with current displacement `d₀`, the first frame's quadratic `(A₁, b₁)` and the
/// second's `(A₂, b₂)` sampled bilinearly at `x + d₀` give `A = (A₁ + A₂) / 2` and
/// `Δb = (b₁ - b₂) / 2 + A d₀` (only `A₁` and `b₁ / 2` where `x + d₀` leaves the frame). The
/// pixel's contribution is `AᵀA` and `AᵀΔb`: five numbers, stored as `g11, g12, g22, h1, h2` in
/// (y, x) order as OpenCV's `FarnebackUpdateMatrices`, times a weight that falls to 0.14 at the
/// outermost pixels (OpenCV's border table: flow at the border is less reliable).
struct FarnebackSystem {
    let width: Int
    let height: Int
    /// `g11, g12, g22, h1, h2` per pixel, row-major.
    private(set) var terms: [Float]

    /// OpenCV's down-weighting of the 5 outermost rows and columns, from the border inwards.
    private static let borderWeights: [Float] = [0.14, 0.14, 0.4472, 0.4472, 0.4472]

    init(_ first: PolynomialExpansion.Coefficients, _ second: PolynomialExpansion.Coefficients, flow: FlowField) {
        (width, height) = (first.width, first.height)
        terms = [Float](repeating: 0, count: 5 * width * height)
        let (r0, r1) = (first.values, second.values)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x, p = 5 * i
                let (dx, dy) = (flow.u[i], flow.v[i])
                let (fx, fy) = (Float(x) + dx, Float(y) + dy)
                let (x1, y1) = (Int(fx.rounded(.down)), Int(fy.rounded(.down)))
                var (by, bx, ayy, axx, axy): (Float, Float, Float, Float, Float)
                if fx.isFinite, fy.isFinite, x1 >= 0, x1 < width - 1, y1 >= 0, y1 < height - 1 {
                    let (ax, ay) = (fx - Float(x1), fy - Float(y1))
                    let (w00, w01, w10, w11) = ((1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay)
                    let q = 5 * (y1 * width + x1), below = q + 5 * width
                    func sampled(_ c: Int) -> Float {
                        w00 * r1[q + c] + w01 * r1[q + 5 + c] + w10 * r1[below + c] + w11 * r1[below + 5 + c]
                    }
                    (by, bx) = (sampled(0), sampled(1))
                    ayy = (r0[p + 2] + sampled(2)) * 0.5
                    axx = (r0[p + 3] + sampled(3)) * 0.5
                    axy = (r0[p + 4] + sampled(4)) * 0.25
                } else {
                    (by, bx) = (0, 0)
                    (ayy, axx, axy) = (r0[p + 2], r0[p + 3], r0[p + 4] * 0.5)
                }
                // Δb = (b₁ - b₂) / 2 + A d₀, with A = [[ayy, axy], [axy, axx]] in (y, x) order.
                var hy = (r0[p] - by) * 0.5 + ayy * dy + axy * dx
                var hx = (r0[p + 1] - bx) * 0.5 + axy * dy + axx * dx
                if x < 5 || y < 5 || x >= width - 5 || y >= height - 5 {
                    let weight = Self.borderWeight(x, width) * Self.borderWeight(y, height)
                    (hy, hx, ayy, axx, axy) = (hy * weight, hx * weight, ayy * weight, axx * weight, axy * weight)
                }
                terms[p] = ayy * ayy + axy * axy
                terms[p + 1] = (ayy + axx) * axy
                terms[p + 2] = axx * axx + axy * axy
                terms[p + 3] = ayy * hy + axy * hx
                terms[p + 4] = axy * hy + axx * hx
            }
        }
    }

    private static func borderWeight(_ position: Int, _ size: Int) -> Float {
        (position < 5 ? borderWeights[position] : 1) * (position >= size - 5 ? borderWeights[size - 1 - position] : 1)
    }

    /// The displacement at every pixel from the terms averaged over a window of `window` pixels
    /// (a box, or a Gaussian of deviation `0.3 ⌊window / 2⌋`; edges repeated), as OpenCV's
    /// `FarnebackUpdateFlow_Blur` and `_GaussianBlur`: `d = G⁻¹ h` with `10⁻³` added to `det G`.
    func solved(window: Int, gaussian: Bool) -> FlowField {
        let radius = window / 2
        // OpenCV's box divides by window² (the same as (2 radius + 1)² for odd windows).
        let averaged = gaussian ? gaussianAveraged(radius: radius)
                                : boxSummed(radius: radius).map { $0 / Double(window * window) }
        var flow = FlowField(width: width, height: height)
        for i in 0..<(width * height) {
            let p = 5 * i
            let (g11, g12, g22, h1, h2) = (averaged[p], averaged[p + 1], averaged[p + 2], averaged[p + 3], averaged[p + 4])
            let inverse = 1 / (g11 * g22 - g12 * g12 + 1e-3)
            flow.u[i] = Float((g11 * h2 - g12 * h1) * inverse)
            flow.v[i] = Float((g22 * h1 - g12 * h2) * inverse)
        }
        return flow
    }

    /// The terms summed over the `(2 radius + 1)²` box around each pixel, edges repeated: running
    /// sums down the columns, then along the rows, so the cost does not grow with the window.
    private func boxSummed(radius: Int) -> [Double] {
        let rowLength = 5 * width
        func rowStart(_ y: Int) -> Int { min(max(y, 0), height - 1) * rowLength }
        func pixelStart(_ x: Int) -> Int { 5 * min(max(x, 0), width - 1) }
        var columns = [Double](repeating: 0, count: terms.count)
        var running = [Double](repeating: 0, count: rowLength)
        for k in -radius...radius {
            let row = rowStart(k)
            for j in 0..<rowLength { running[j] += Double(terms[row + j]) }
        }
        for y in 0..<height {
            let row = y * rowLength, entering = rowStart(y + radius + 1), leaving = rowStart(y - radius)
            for j in 0..<rowLength {
                columns[row + j] = running[j]
                running[j] += Double(terms[entering + j]) - Double(terms[leaving + j])
            }
        }
        var sums = [Double](repeating: 0, count: terms.count)
        var window = [Double](repeating: 0, count: 5)
        for y in 0..<height {
            let row = y * rowLength
            for c in 0..<5 { window[c] = 0 }
            for k in -radius...radius {
                for c in 0..<5 { window[c] += columns[row + pixelStart(k) + c] }
            }
            for x in 0..<width {
                let entering = row + pixelStart(x + radius + 1), leaving = row + pixelStart(x - radius)
                for c in 0..<5 {
                    sums[row + 5 * x + c] = window[c]
                    window[c] += columns[entering + c] - columns[leaving + c]
                }
            }
        }
        return sums
    }

    /// The terms averaged with a separable Gaussian of deviation `0.3 radius`, edges repeated.
    private func gaussianAveraged(radius: Int) -> [Double] {
        let sigma = 0.3 * Double(radius)
        let raw = (0...radius).map { $0 == 0 ? 1 : exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = raw[0] + 2 * raw.dropFirst().reduce(0, +)
        let weights = raw.map { Float($0 / total) }
        var columns = [Float](repeating: 0, count: terms.count)
        for y in 0..<height {
            let row = 5 * y * width
            for j in 0..<(5 * width) { columns[row + j] = terms[row + j] * weights[0] }
            for k in stride(from: 1, through: radius, by: 1) {
                let above = 5 * max(y - k, 0) * width, below = 5 * min(y + k, height - 1) * width
                for j in 0..<(5 * width) { columns[row + j] += (terms[above + j] + terms[below + j]) * weights[k] }
            }
        }
        var averaged = [Double](repeating: 0, count: terms.count)
        for y in 0..<height {
            let row = 5 * y * width
            for x in 0..<width {
                for c in 0..<5 {
                    var sum = Double(columns[row + 5 * x + c] * weights[0])
                    for k in stride(from: 1, through: radius, by: 1) {
                        let left = row + 5 * max(x - k, 0), right = row + 5 * min(x + k, width - 1)
                        sum += Double((columns[left + c] + columns[right + c]) * weights[k])
                    }
                    averaged[row + 5 * x + c] = sum
                }
            }
        }
        return averaged
    }
}
