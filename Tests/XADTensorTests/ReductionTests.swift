import Testing
import XADTensor
import XADTestSupport

/// Sums, means, maxima and minima against PyTorch (`torch.sum/mean/amax/amin`), including
/// non-contiguous axis sets, negative axes, keepdim and ties (amax/amin split the gradient evenly).
@Suite("Reductions")
struct ReductionTests {
    static let cases = [
        "sum_all", "sum_axis1_keep", "sum_last_negative", "sum_outer_axes", "sum_middle_run",
        "sum_long_rows", "sum_1x1", "mean_all", "mean_axis0", "mean_spatial_keep",
        "max_ties_all", "max_ties_axis1", "max_ties_outer_axes_keep", "max_random_last",
        "min_ties_all", "min_ties_axis2", "min_random_axis0",
    ]

    // tolerance: 1e-5 relative, 1e-6 absolute (summation order differs from PyTorch's).
    @Test(arguments: cases)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("tensor_ops/reduce_\(name).json")
        let axes = fixture["axes"]?.ints
        let keep = fixture["keepdim"]?.bool ?? false
        let ratios = try fixtureMismatch(fixture, inputs: ["x"], absolute: 1e-6, relative: 1e-5) { inputs in
            let x = inputs[0]
            switch name.prefix(3) {
            case "sum": return try x.sum(axes: axes, keepingDimensions: keep)
            case "mea": return try x.mean(axes: axes, keepingDimensions: keep)
            case "max": return try x.max(axes: axes, keepingDimensions: keep)
            default: return try x.min(axes: axes, keepingDimensions: keep)
            }
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "reduce_\(name) \(key): \(ratio)") }
    }

    @Test func handComputedValuesAndShapes() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try x.sum().scalar == 21)
        #expect(try x.sum().shape == [])
        #expect(try x.mean(axes: [-1]).scalars == [2, 5] as [Float])
        #expect(try x.max(axes: [0], keepingDimensions: true).shape == [1, 3])
        #expect(try x.min(axes: [1]).scalars == [1, 4] as [Float])
        #expect(try x.sum(axes: []).scalars == x.scalars)
    }

    /// The parallel and SIMD paths (large inputs) agree with a Double-precision sum.
    @Test func largeReductionsMatchDoubleAccumulation() throws {
        var generator = SeededGenerator(seed: 7)
        let x = Tensor.uniform([64, 1500], in: -1..<1, generator: &generator)
        let rows = try x.sum(axes: [1]).scalars
        let columns = try x.sum(axes: [0]).scalars
        let values = x.scalars
        for (row, value) in rows.enumerated() {
            let expected = values[(row * 1500)..<((row + 1) * 1500)].reduce(0.0) { $0 + Double($1) }
            #expect(Swift.abs(Double(value) - expected) <= 1e-4, "row \(row)")
        }
        for column in [0, 777, 1499] {
            let expected = (0..<64).reduce(0.0) { $0 + Double(values[$1 * 1500 + column]) }
            #expect(Swift.abs(Double(columns[column]) - expected) <= 1e-5, "column \(column)")
        }
        #expect(try x.max().scalar == values.max())
    }

    /// The fast gradient reducer for broadcasts agrees with Double-precision sums.
    @Test(arguments: [[1, 3, 1, 1], [3, 1, 1], [3, 4, 5], [1, 1, 1, 1], [2, 1, 4, 1]])
    func summedToShapeMatchesDoubleSums(_ target: [Int]) throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.normal([2, 3, 4, 5], generator: &generator)
        let summed = x.summed(toShape: target)
        #expect(summed.shape == target)
        let padded = Array(repeating: 1, count: 4 - target.count) + target
        var expected = [Double](repeating: 0, count: summed.count)
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { for d in 0..<5 {
            let index = [a, b, c, d].enumerated().reduce(0) { offset, entry in
                offset * padded[entry.offset] + (padded[entry.offset] == 1 ? 0 : entry.element)
            }
            expected[index] += Double(x[a, b, c, d])
        } } } }
        for (actual, value) in zip(summed.scalars, expected) {
            #expect(Swift.abs(Double(actual) - value) <= 1e-5 + 1e-5 * Swift.abs(value))
        }
    }

    @Test func maxPropagatesNaN() throws {
        let x = try Tensor(shape: [3], scalars: [1, .nan, 2])
        #expect(try x.max().scalar?.isNaN == true)
        #expect(try x.min().scalar?.isNaN == true)
        // Long enough for the SIMD path, with the NaN inside a vector and in the tail.
        for position in [10, 20] {
            var values = (0..<21).map { Float($0) }
            values[position] = .nan
            let long = try Tensor(shape: [21], scalars: values)
            #expect(try long.max().scalar?.isNaN == true, "NaN at \(position)")
            #expect(try long.min().scalar?.isNaN == true, "NaN at \(position)")
        }
    }

    @Test func badAxesThrowInvalidArgument() throws {
        let x = Tensor.zeros([2, 3])
        for axes in [[2], [-3], [0, 0], [1, -1]] {
            #expect(throws: TensorError.self) { try x.sum(axes: axes) }
        }
        do {
            _ = try x.mean(axes: [5])
            Issue.record("mean over axis 5 of a rank-2 tensor did not throw")
        } catch let error as TensorError {
            #expect(error.kind == .invalidArgument)
            #expect(error.description == "mean: axis 5 is out of range for rank 2")
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([0, 3]).max(axes: [0]) }
    }
}
