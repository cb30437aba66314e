import Testing
import XADTensor
import XADTestSupport

/// Mean squared error and binary cross-entropy (on probabilities and on logits) against
/// PyTorch's `F.mse_loss`, `F.binary_cross_entropy` (logs clamped at -100, probabilities 0 and 1
/// included) and `F.binary_cross_entropy_with_logits` (logits ±50 included).
@Suite("Losses")
struct LossTests {
    // tolerance: 1e-5 relative, 1e-6 absolute.
    @Test func meanSquaredError() throws {
        for name in ["loss_mse", "loss_mse_1x1"] {
            let ratios = try fixtureMismatch(Fixture("tensor_ops/\(name).json"), inputs: ["input", "target"],
                                             absolute: 1e-6, relative: 1e-5) { try Loss.meanSquaredError($0[0], $0[1]) }
            for (key, ratio) in ratios { #expect(ratio <= 1, "\(name) \(key): \(ratio)") }
        }
    }

    // tolerance: 1e-5 relative, 1e-6 absolute.
    @Test func binaryCrossEntropy() throws {
        let clamped = try Fixture("tensor_ops/loss_bce.json")
        let target = try clamped.tensor("target")
        let ratios = try fixtureMismatch(clamped, inputs: ["input"], absolute: 1e-6, relative: 1e-5) {
            try Loss.binaryCrossEntropy($0[0], target)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "loss_bce \(key): \(ratio)") }
        let interior = try fixtureMismatch(Fixture("tensor_ops/loss_bce_interior.json"), inputs: ["input", "target"],
                                           absolute: 1e-6, relative: 1e-5) { try Loss.binaryCrossEntropy($0[0], $0[1]) }
        for (key, ratio) in interior { #expect(ratio <= 1, "loss_bce_interior \(key): \(ratio)") }
    }

    // tolerance: 1e-5 relative, 1e-6 absolute.
    @Test func binaryCrossEntropyWithLogits() throws {
        let ratios = try fixtureMismatch(Fixture("tensor_ops/loss_bce_logits.json"), inputs: ["input", "target"],
                                         absolute: 1e-6, relative: 1e-5) {
            try Loss.binaryCrossEntropyWithLogits($0[0], $0[1])
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "loss_bce_logits \(key): \(ratio)") }
    }

    @Test func nonFiniteLossThrowsNamingTheLoss() throws {
        let prediction = try Tensor(shape: [2], scalars: [1, .nan])
        do {
            _ = try Loss.meanSquaredError(prediction, Tensor.zeros([2]))
            Issue.record("a NaN prediction did not throw")
        } catch let error as TensorError {
            #expect(error.kind == .nonFinite)
            #expect(error.description == "meanSquaredError: the loss over shape [2] is nan")
        }
        #expect(throws: TensorError.self) { try Loss.binaryCrossEntropy(prediction, Tensor.zeros([2])) }
        let huge = try Tensor(shape: [1], scalars: [.infinity])
        #expect(throws: TensorError.self) { try Loss.binaryCrossEntropyWithLogits(huge, Tensor.zeros([1])) }
    }

    @Test func badInputsThrow() throws {
        #expect(throws: TensorError.self) { try Loss.meanSquaredError(Tensor.zeros([2]), Tensor.zeros([3])) }
        let outside = try Tensor(shape: [2], scalars: [0.5, 1.5])
        #expect(throws: TensorError.self) { try Loss.binaryCrossEntropy(outside, Tensor.zeros([2])) }
    }
}
