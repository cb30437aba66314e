import Testing
import XADTensor

/// Row gathers, channels-last layouts and in-place box writes against direct index loops. Pure
/// copies: values must be equal exactly; gradients (sums of a few small integers) too.
@Suite("Gathers and box writes")
struct GatherTests {
    static func counting(_ shape: [Int]) throws -> Tensor {
        try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0) })
    }

    @Test func rowsAreTheIndexedSlicesAndTheirGradientAddsBack() throws {
        let x = try Self.counting([4, 2, 3])
        let indices = [3, 0, 3, 1]
        let picked = try x.rows(at: indices)
        #expect(picked.shape == [4, 2, 3])
        for (row, index) in indices.enumerated() {
            for i in 0..<2 { for j in 0..<3 { #expect(picked[row, i, j] == x[index, i, j]) } }
        }
        #expect(try x.rows(at: []).shape == [0, 2, 3])

        let tape = GradientTape()
        let watched = tape.watch(x)
        let upstream = try Self.counting([4, 2, 3])
        let gradient = try tape.gradient(of: watched.rows(at: indices), withRespectTo: watched, seed: upstream)
        var expected = [Float](repeating: 0, count: 24)
        for (row, index) in indices.enumerated() { for k in 0..<6 { expected[index * 6 + k] += upstream.scalars[row * 6 + k] } }
        #expect(gradient.scalars == expected)
    }

    @Test func rowsRejectIndicesOutsideTheTensor() {
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 2]).rows(at: [3]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 2]).rows(at: [-1]) }
        #expect(throws: TensorError.self) { try Tensor(1).rows(at: [0]) }
    }

    @Test func channelsLastKeepsTheChosenChannelsPerPixel() throws {
        let x = try Self.counting([2, 5, 3, 4])
        let kept = [4, 0, 2, 2]
        let rows = try x.channelsLast(keeping: kept)
        #expect(rows.shape == [2, 3, 4, 4])
        for n in 0..<2 { for y in 0..<3 { for w in 0..<4 { for (d, c) in kept.enumerated() {
            #expect(rows[n, y, w, d] == x[n, c, y, w])
        } } } }
        #expect(try x.channelsLast().scalars == x.permuted([0, 2, 3, 1]).scalars)

        let tape = GradientTape()
        let watched = tape.watch(x)
        let upstream = try Self.counting([2, 3, 4, 4])
        let gradient = try tape.gradient(of: watched.channelsLast(keeping: kept), withRespectTo: watched, seed: upstream)
        var expected = [Float](repeating: 0, count: x.count)
        for n in 0..<2 { for y in 0..<3 { for w in 0..<4 { for (d, c) in kept.enumerated() {
            expected[((n * 5 + c) * 3 + y) * 4 + w] += upstream[n, y, w, d]
        } } } }
        #expect(gradient.scalars == expected)
    }

    @Test func channelsLastRejectsBadInput() {
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 3, 4]).channelsLast() }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 3, 2, 2]).channelsLast(keeping: [3]) }
    }

    @Test func replaceWritesTheBoxAndLeavesCopiesAlone() throws {
        var x = try Self.counting([3, 4, 2])
        let original = x
        let box = try Tensor(shape: [2, 1, 2], scalars: [-1, -2, -3, -4])
        try x.replace(at: [1, 2, 0], with: box)
        for i in 0..<3 { for j in 0..<4 { for k in 0..<2 {
            let inside = (1..<3).contains(i) && j == 2
            #expect(x[i, j, k] == (inside ? box[i - 1, 0, k] : original[i, j, k]))
        } } }
        #expect(original.scalars == (0..<24).map { Float($0) }, "copy-on-write: the copy is unchanged")
    }

    @Test func replaceRejectsBoxesThatDoNotFitAndTrackedTensors() throws {
        var x = Tensor.zeros([2, 3])
        #expect(throws: TensorError.self) { try x.replace(at: [1, 2], with: Tensor.zeros([1, 2])) }
        #expect(throws: TensorError.self) { try x.replace(at: [0], with: Tensor.zeros([1])) }
        #expect(throws: TensorError.self) { try x.replace(at: [-1, 0], with: Tensor.zeros([1, 1])) }
        let tape = GradientTape()
        #expect(throws: TensorError.self) { try x.replace(at: [0, 0], with: tape.watch(Tensor.zeros([1, 1]))) }
    }
}
