import Testing
import XADTensor
import XADTestSupport

/// Matrix products (plain, batched, shared right operand) against PyTorch's `@`.
@Suite("Matrix products")
struct MatMulTests {
    // tolerance: 1e-5 relative, 1e-5 absolute: sgemm and PyTorch accumulate in different orders,
    // and entries that cancel to near zero keep an absolute error of a few ulp of their terms.
    @Test(arguments: ["1x1", "rect", "outer", "inner", "batched", "batched_rank4", "shared_right", "large",
                      "transposed_rect", "transposed_batched", "transposed_shared_right"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("tensor_ops/matmul_\(name).json")
        let flag = fixture["transpose_b"]?.bool
        #expect(flag != nil, "matmul_\(name) has no transpose_b flag")
        let transposing = flag == true
        let ratios = try fixtureMismatch(fixture, inputs: ["a", "b"], absolute: 1e-5, relative: 1e-5) {
            try $0[0].matmul($0[1], transposingOther: transposing)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "matmul_\(name) \(key): \(ratio)") }
    }

    @Test func handComputedProduct() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(try a.matmul(b).scalars == [58, 64, 139, 154] as [Float])
        #expect(try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])).scalars == [0, 0, 0, 0, 0, 0] as [Float])
    }

    @Test func mismatchedShapesThrowNamingBoth() throws {
        do {
            _ = try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
            Issue.record("matmul [2, 3] x [4, 5] did not throw")
        } catch let error as TensorError {
            #expect(error.kind == .shapeMismatch)
            #expect(error.description == "matmul: shapes [2, 3] and [4, 5] do not match: 3 columns against 4 rows")
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5])) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3]).matmul(Tensor.zeros([3, 1])) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 4]).matmul(Tensor.zeros([2, 4, 5])) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 4]).matmul(Tensor.zeros([4, 5]), transposingOther: true) }
    }
}
