import Foundation
import Testing
import XADTensor
import XADTestSupport

/// Softmax and log-softmax against PyTorch, along first, middle, last and negative axes, with
/// logits near 100 ± 150 (which overflow `exp` unless the maximum is subtracted).
@Suite("Softmax")
struct SoftmaxTests {
    static let cases = ["rows", "columns", "last_negative", "middle", "large_logits", "single"]

    // tolerance: 1e-5 relative, 1e-6 absolute (log-softmax outputs near -300 in the large-logit
    // case are covered by the relative part).
    @Test(arguments: ["softmax", "log_softmax"], cases)
    func matchesPyTorch(_ function: String, _ name: String) throws {
        let fixture = try Fixture("tensor_ops/\(function)_\(name).json")
        let axis = try #require(fixture["axis"]?.int)
        let ratios = try fixtureMismatch(fixture, inputs: ["x"], absolute: 1e-6, relative: 1e-5) {
            function == "softmax" ? try $0[0].softmax(axis: axis) : try $0[0].logSoftmax(axis: axis)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "\(function)_\(name) \(key): \(ratio)") }
    }

    @Test func rowsSumToOne() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, -1000, 0, 1000])
        let y = try x.softmax(axis: 1)
        let sums = try y.sum(axes: [1]).scalars
        #expect(Swift.abs(sums[0] - 1) <= 1e-6 && sums[1] == 1)
        #expect(y.scalars[5] == 1)
    }

    /// Long rows and columns (the vectorised paths) against a Double-precision softmax.
    @Test(arguments: [1, 0])
    func longAxesMatchDoublePrecision(_ axis: Int) throws {
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.normal([37, 45], std: 4, generator: &generator)
        let y = try x.softmax(axis: axis), logY = try x.logSoftmax(axis: axis)
        let count = axis == 1 ? 45 : 37
        for line in [0, 17, 36] {
            let index = { (k: Int) in axis == 1 ? [line, k] : [k, line] }
            let values = (0..<count).map { Double(x[index($0)[0], index($0)[1]]) }
            let largest = values.max() ?? 0
            let total = values.reduce(0.0) { $0 + Foundation.exp($1 - largest) }
            for k in 0..<count {
                let expected = Foundation.exp(values[k] - largest) / total
                let actual = Double(y[index(k)[0], index(k)[1]])
                #expect(Swift.abs(actual - expected) <= 1e-6 + 1e-5 * expected)
                let expectedLog = values[k] - largest - Foundation.log(total)
                #expect(Swift.abs(Double(logY[index(k)[0], index(k)[1]]) - expectedLog) <= 1e-5 + 1e-6 * Swift.abs(expectedLog))
            }
        }
    }

    @Test func badAxisThrows() {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).softmax(axis: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).logSoftmax(axis: -3) }
    }
}
