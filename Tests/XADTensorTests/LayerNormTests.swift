import Testing
import XADTensor
import XADTestSupport

@Suite("LayerNorm")
struct LayerNormTests {
    /// Output and gradients (input, weight, bias) equal PyTorch's `nn.LayerNorm([3, 4, 5])` on
    /// `Tests/Fixtures/fastflow/layernorm.json` (`Tools/reference/gen_fastflow.py`) within 1e-5
    /// absolute plus 1e-4 relative.
    @Test func matchesPyTorch() throws {
        let fixture = try Fixture("fastflow/layernorm.json")
        let ratios = try fixtureMismatch(fixture, inputs: ["x", "weight", "bias"], absolute: 1e-5, relative: 1e-4) { inputs in
            try LayerNorm(weight: inputs[1], bias: inputs[2])(inputs[0])
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "\(key): \(ratio)") }
    }

    @Test func rejectsAnInputOfAnotherTrailingShape() throws {
        let norm = LayerNorm(shape: [3, 4])
        #expect(throws: TensorError.self) { try norm(Tensor.zeros([2, 4, 3])) }
    }
}
