import XADTensor

/// A colour map: turns a scalar map (an anomaly or attribution map) into an RGB image.
///
/// Each map is matplotlib's 256-entry table, looked up as matplotlib does: a value `t` in 0...1
/// picks entry `min(⌊256 t⌋, 255)` (no interpolation between entries).
/// - `jet`: matplotlib's piecewise-linear definition (blue, cyan, yellow, red), sampled at 256 points.
/// - `turbo`: Google's improved rainbow (Mikhailov 2019), matplotlib's table.
/// - `inferno`, `viridis`: perceptually uniform maps (van der Walt and Smith), matplotlib's tables.
///
/// ```swift
/// let rgb = try ColorMap.turbo.apply(to: anomalyMap)              // [H, W] -> [3, H, W]
/// let fixed = try ColorMap.jet.apply(to: anomalyMap, range: 0...1) // same scale across images
/// ```
public enum ColorMap: String, Sendable, Codable, CaseIterable {
    case jet, turbo, inferno, viridis

    /// The map's 256 RGB entries, row-major.
    var table: [Float] {
        switch self {
        case .jet: ColorMap.jetTable
        case .turbo: ColorMap.turboTable
        case .inferno: ColorMap.infernoTable
        case .viridis: ColorMap.viridisTable
        }
    }

    /// The colour of a value `t` in 0...1 (values outside are clamped to the ends).
    public func color(at t: Float) -> RGBColor {
        let entry = ColorMap.entry(t), table = table
        return RGBColor(red: table[3 * entry], green: table[3 * entry + 1], blue: table[3 * entry + 2])
    }

    /// The map coloured: a `[3, H, W]` RGB tensor in 0...1.
    ///
    /// Values are scaled to 0...1 by `range` (`(v - lower) / (upper - lower)`, then clamped), or
    /// by the map's own minimum and maximum when `range` is `nil`; a constant map with no range
    /// takes the lowest colour.
    /// - Parameters:
    ///   - map: `[H, W]`, `[1, H, W]` or `[1, 1, H, W]`.
    ///   - range: the values shown as the lowest and highest colours; `nil`: the map's own.
    /// - Throws: `TensorError` for another shape, a NaN or infinite value in the map or the range.
    public func apply(to map: Tensor, range: ClosedRange<Float>? = nil) throws -> Tensor {
        let (height, width) = try ColorMap.spatialSize(of: map, "ColorMap.apply")
        let values = try ColorMap.finiteValues(of: map, "ColorMap.apply")
        let lower: Float, upper: Float
        if let range {
            guard range.lowerBound.isFinite, range.upperBound.isFinite else {
                throw TensorError(.nonFinite, "ColorMap.apply", "range \(range) is not finite")
            }
            (lower, upper) = (range.lowerBound, range.upperBound)
        } else {
            (lower, upper) = (values.min() ?? 0, values.max() ?? 0)
        }
        let table = table, plane = height * width, span = upper - lower
        return Tensor(shape: [3, height, width]) { out in
            for (i, value) in values.enumerated() {
                let entry = ColorMap.entry(span > 0 ? (value - lower) / span : 0)
                for channel in 0..<3 { out[channel * plane + i] = table[3 * entry + channel] }
            }
        }
    }

    /// The table entry of `t`: matplotlib's `min(int(t · N), N - 1)` after clamping to 0...1.
    static func entry(_ t: Float) -> Int {
        Swift.min(Int(Swift.min(Swift.max(t, 0), 1) * 256), 255)
    }

    /// The height and width of a single-channel map: `[H, W]`, `[1, H, W]` or `[1, 1, H, W]`.
    static func spatialSize(of map: Tensor, _ operation: String) throws -> (height: Int, width: Int) {
        let shape = map.shape
        guard shape.count >= 2, shape.count <= 4, shape.dropLast(2).allSatisfy({ $0 == 1 }),
              shape[shape.count - 2] > 0, shape[shape.count - 1] > 0 else {
            throw TensorError(.shapeMismatch, operation, "map shape \(shape) is not [H, W], [1, H, W] or [1, 1, H, W]")
        }
        return (shape[shape.count - 2], shape[shape.count - 1])
    }

    /// The map's values, or an error naming the first one that is NaN or infinite.
    static func finiteValues(of map: Tensor, _ operation: String) throws -> [Float] {
        let values = map.scalars
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw TensorError(.nonFinite, operation,
                              "map of shape \(map.shape) holds \(values[index]) at flat index \(index)")
        }
        return values
    }

    /// matplotlib's `jet` (`_cm._jet_data`) evaluated at `i / 255` for 256 entries: each channel
    /// is linear between the listed (position, value) points.
    static let jetTable: [Float] = {
        let red: [(Double, Double)] = [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)]
        let green: [(Double, Double)] = [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)]
        let blue: [(Double, Double)] = [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)]
        func interpolate(_ points: [(Double, Double)], _ x: Double) -> Float {
            guard let upper = points.firstIndex(where: { $0.0 >= x }), upper > 0 else { return Float(points[0].1) }
            let (x0, y0) = points[upper - 1], (x1, y1) = points[upper]
            return Float((x - x0) / (x1 - x0) * (y1 - y0) + y0)
        }
        return (0..<256).flatMap { i -> [Float] in
            let x = Double(i) / 255
            return [interpolate(red, x), interpolate(green, x), interpolate(blue, x)]
        }
    }()
}
