import Testing
import XADTensor
import XADTestSupport

/// Softmax and log-softmax against PyTorch, along first, middle, last and negative axes, with
/// logits near 100 ± 150 (which overflow `exp` unless the maximum is subtracted).
@Suite("Softmax")
struct SoftmaxTests {
    static let cases = ["rows", "columns", "last_negative", "middle", "large_logits", "single"]

    // tolerance: 1e-5 relative, 1e-6 absolute.
    @Test(arguments: cases)
    func softmaxMatchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("tensor_ops/softmax_\(name).json")
        let axis = try #require(fixture["axis"]?.int)
        let ratios = try fixtureMismatch(fixture, inputs: ["x"], absolute: 1e-6, relative: 1e-5) {
            try $0[0].softmax(axis: axis)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "softmax_\(name) \(key): \(ratio)") }
    }

    // tolerance: 1e-5 relative, 1e-6 absolute, except 1e-5 absolute for the outputs near -300 of
    // the large-logit case, where one ulp is 3e-5 (relative 1e-5 covers it).
    @Test(arguments: cases)
    func logSoftmaxMatchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("tensor_ops/log_softmax_\(name).json")
        let axis = try #require(fixture["axis"]?.int)
        let ratios = try fixtureMismatch(fixture, inputs: ["x"], absolute: 1e-6, relative: 1e-5) {
            try $0[0].logSoftmax(axis: axis)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "log_softmax_\(name) \(key): \(ratio)") }
    }

    @Test func rowsSumToOne() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, -1000, 0, 1000])
        let y = try x.softmax(axis: 1)
        let sums = try y.sum(axes: [1]).scalars
        #expect(Swift.abs(sums[0] - 1) <= 1e-6 && sums[1] == 1)
        #expect(y.scalars[5] == 1)
    }

    @Test func badAxisThrows() {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).softmax(axis: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3]).logSoftmax(axis: -3) }
    }
}
