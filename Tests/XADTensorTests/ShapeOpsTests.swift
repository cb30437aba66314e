import Testing
import XADTensor
import XADTestSupport

/// Reshape, permute, transpose, slice, concatenate, pad and expand against PyTorch, with the
/// gradients (which are the inverse copies).
@Suite("Shape operations")
struct ShapeOpsTests {
    func check(_ name: String, inputs: [String] = ["x"], _ operation: (Fixture, [Tensor]) throws -> Tensor) throws {
        let fixture = try Fixture("tensor_ops/shape_\(name).json")
        // tolerance: 1e-6 relative and absolute; copies are exact, but expand's gradient sums
        // several values in a different order from PyTorch.
        let ratios = try fixtureMismatch(fixture, inputs: inputs, absolute: 1e-6, relative: 1e-6) {
            try operation(fixture, $0)
        }
        for (key, ratio) in ratios { #expect(ratio <= 1, "shape_\(name) \(key): \(ratio)") }
    }

    @Test func reshapePermuteTranspose() throws {
        try check("reshape") { f, x in try x[0].reshaped(try #require(f["shape"]?.ints)) }
        try check("permute") { f, x in try x[0].permuted(try #require(f["axes"]?.ints)) }
        try check("permute4") { f, x in try x[0].permuted(try #require(f["axes"]?.ints)) }
        try check("transpose") { _, x in try x[0].transposed() }
    }

    @Test(arguments: ["slice_middle", "slice_last", "slice_first"])
    func slice(_ name: String) throws {
        try check(name) { f, x in
            let lower = try #require(f["lower"]?.int), upper = try #require(f["upper"]?.int)
            return try x[0].sliced(axis: try #require(f["axis"]?.int), range: lower..<upper)
        }
    }

    @Test func concatenate() throws {
        try check("concat_channels", inputs: ["a", "b", "c"]) { f, x in
            try Tensor.concatenate(x, axis: try #require(f["axis"]?.int))
        }
        try check("concat_rows", inputs: ["a", "b"]) { f, x in try Tensor.concatenate(x, axis: try #require(f["axis"]?.int)) }
        try check("concat_last", inputs: ["a", "b"]) { f, x in try Tensor.concatenate(x, axis: try #require(f["axis"]?.int)) }
    }

    @Test(arguments: ["pad", "pad_image"])
    func pad(_ name: String) throws {
        try check(name) { f, x in
            let entries = try #require(f["padding"]?.array)
            let pairs = entries.compactMap(\.ints)
            let value = try #require(f["value"]?.float)
            return try x[0].padded(pairs.map { (before: $0[0], after: $0[1]) }, value: value)
        }
    }

    @Test(arguments: ["expand", "expand_leading"])
    func expand(_ name: String) throws {
        try check(name) { f, x in try x[0].expanded(to: try #require(f["shape"]?.ints)) }
    }

    /// Permutes large enough for the tiled path (several 16 x 16 tiles, ragged edges) against
    /// element-by-element lookups.
    @Test func largePermutesMoveEveryElement() throws {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor.normal([3, 40, 50], generator: &generator)
        let y = try x.permuted([2, 0, 1])
        #expect(y.shape == [50, 3, 40])
        var mismatches = 0
        for a in 0..<3 { for b in 0..<40 { for c in 0..<50 where y[c, a, b] != x[a, b, c] { mismatches += 1 } } }
        #expect(mismatches == 0)
        let matrix = Tensor.normal([70, 45], generator: &generator)
        let transposed = try matrix.transposed()
        var transposeMismatches = 0
        for i in 0..<70 { for j in 0..<45 where transposed[j, i] != matrix[i, j] { transposeMismatches += 1 } }
        #expect(transposeMismatches == 0)
    }

    @Test func squeezeUnsqueezeFlatten() throws {
        let x = try Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try x.squeezed(axis: 1).shape == [2, 3])
        #expect(try x.squeezed(axis: -2).scalars == x.scalars)
        #expect(try x.unsqueezed(axis: 0).shape == [1, 2, 1, 3])
        #expect(try x.unsqueezed(axis: -1).shape == [2, 1, 3, 1])
        #expect(try x.flattened().shape == [2, 3])
        #expect(try x.flattened(fromAxis: 0).shape == [6])
        #expect(throws: TensorError.self) { try x.squeezed(axis: 0) }
        #expect(throws: TensorError.self) { try x.unsqueezed(axis: 4) }
    }

    @Test func reshapeSharesStorageButKeepsValueSemantics() throws {
        let x = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let y = try x.reshaped([4])
        let doubled = y * 2
        #expect(x.scalars == [1, 2, 3, 4] as [Float] && doubled.scalars == [2, 4, 6, 8] as [Float])
    }

    @Test func badArgumentsThrowWithShapes() throws {
        let x = Tensor.zeros([2, 3])
        do {
            _ = try x.reshaped([4, 2])
            Issue.record("reshape to [4, 2] did not throw")
        } catch let error as TensorError {
            #expect(error.description == "reshape: cannot reshape [2, 3] (6 elements) to [4, 2]")
        }
        #expect(throws: TensorError.self) { try x.reshaped([-1, -1]) }
        #expect(throws: TensorError.self) { try x.reshaped([-1, 4]) }
        #expect(throws: TensorError.self) { try x.permuted([0, 0]) }
        #expect(throws: TensorError.self) { try x.permuted([0]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 4]).transposed() }
        #expect(throws: TensorError.self) { try x.sliced(axis: 1, range: 2..<4) }
        #expect(throws: TensorError.self) { try x.sliced(axis: 2, range: 0..<1) }
        #expect(throws: TensorError.self) { try Tensor.concatenate([x, Tensor.zeros([3, 3])], axis: 1) }
        #expect(throws: TensorError.self) { try Tensor.concatenate([], axis: 0) }
        #expect(throws: TensorError.self) { try x.padded([(1, 1)]) }
        #expect(throws: TensorError.self) { try x.padded([(0, 0), (-1, 0)]) }
        #expect(throws: TensorError.self) { try x.expanded(to: [4, 3, 2]) }
    }
}
