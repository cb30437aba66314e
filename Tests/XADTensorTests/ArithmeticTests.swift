import Testing
import XADTensor

@Suite("Arithmetic and the gradient tape")
struct ArithmeticTests {
    @Test func broadcastAddMatchesHandComputedValues() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3], scalars: [10, 20, 30])
        #expect(try (a + b).scalars == [11, 22, 33, 14, 25, 36])
        let column = try Tensor(shape: [2, 1], scalars: [100, 200])
        #expect(try (a * column).scalars == [100, 200, 300, 800, 1000, 1200])
    }

    @Test func mismatchedShapesThrowAndNameTheOperation() throws {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
        #expect(throws: TensorError.self) { try a + b }
        do { _ = try a - b } catch let error as TensorError {
            #expect(error.description == "subtract: shapes [2, 3] and [4] do not broadcast")
        }
    }

    @Test func gradientsOfBroadcastProductAndQuotient() throws {
        let tape = GradientTape()
        let a = tape.watch(try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        let b = tape.watch(try Tensor(shape: [2], scalars: [2, 4]))
        let y = try a * b / b + a / b          // = a + a / b
        let seed = Tensor.ones([2, 2])
        let grads = try tape.gradients(of: y, withRespectTo: [a, b], seed: seed)
        let ga = grads[0], gb = grads[1]
        // d/da = 1 + 1/b ; d/db = sum over rows of -a / b^2
        #expect(ga.scalars == [1.5, 1.25, 1.5, 1.25])
        #expect(gb.scalars == [-1, -0.375] as [Float])  // -(1 + 3) / 4, -(2 + 4) / 16
    }

    @Test func untrackedComputationRecordsNothing() throws {
        let x = try Tensor(shape: [3], scalars: [1, 2, 3])
        let y = try x * x
        #expect(!y.isTracked)
        let tape = GradientTape()
        #expect(throws: TensorError.self) { try tape.gradient(of: y, withRespectTo: x) }
    }
}
