import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADImage
import XADModels
import XADTensor
import XADTestSupport

@Suite("FastFlow")
struct FastFlowTests {
    /// A coupling block moved away from its initialisation (σ ≠ 1, b ≠ 0, a subnet 4x larger),
    /// so that every part of the transform does something.
    static func block(channels: Int, kernelSize: Int, seed: UInt64) throws -> AffineCouplingBlock {
        var generator = SeededGenerator(seed: seed)
        var block = try AffineCouplingBlock(channels: channels, kernelSize: kernelSize, generator: &generator)
        block.globalScale = try block.globalScale + Tensor.normal([1, channels, 1, 1], generator: &generator)
        block.globalOffset = Tensor.normal([1, channels, 1, 1], std: 0.3, generator: &generator)
        try block.subnet.load(block.subnet.state.mapValues { $0 * 4 })
        return block
    }

    /// x -> z -> x within 1e-5 (absolute plus relative) for both subnet kinds and an odd channel count.
    @Test(arguments: [1, 3])
    func couplingBlocksAreInvertible(kernelSize: Int) throws {
        var generator = SeededGenerator(seed: 3)
        let block = try Self.block(channels: 5, kernelSize: kernelSize, seed: 7)
        let x = Tensor.normal([2, 5, 4, 3], std: 2, generator: &generator)
        let back = try block.inverse(block.forward(x).z)
        #expect(toleranceRatio(back, x, absolute: 1e-5, relative: 1e-5) <= 1)
    }

    /// log|det ∂z/∂x| of one block and of a chain of two equals the log-determinant of the
    /// Jacobian by central differences (ε = 1e-2, Float; determinant by LU in Double) on a
    /// `[1, 3, 2, 2]` input (12 dimensions), within 0.01.
    @Test func logDeterminantsEqualFiniteDifferenceJacobians() throws {
        var generator = SeededGenerator(seed: 5)
        let first = try Self.block(channels: 3, kernelSize: 3, seed: 11)
        let second = try Self.block(channels: 3, kernelSize: 1, seed: 12)
        let x = Tensor.normal([1, 3, 2, 2], generator: &generator)
        let one = { (x: Tensor) in try first.forward(x) }
        let two = { (x: Tensor) in
            let (y, a) = try first.forward(x)
            let (z, b) = try second.forward(y)
            return (z: z, logDeterminant: try a + b)
        }
        for flow in [one, two] {
            let analytic = try #require(try flow(x).logDeterminant.scalar)
            let numeric = try Self.logAbsDeterminant(Self.jacobian(of: { try flow($0).z }, at: x))
            #expect(abs(Double(analytic) - numeric) < 0.01, "analytic \(analytic), finite differences \(numeric)")
        }
    }

    /// Two scales of anomalib 2.7's FastFlow (LayerNorm, `AllInOneBlock` 3x3 then 1x1) with the
    /// same weights (`Tests/Fixtures/fastflow/network.json`, `Tools/reference/gen_fastflow.py`):
    /// z, log-determinants, loss and anomaly map within 1e-4 absolute plus 1e-4 relative.
    @Test func matchesAnomalibsFastFlowOnTheSameWeights() throws {
        let fixture = try Fixture("fastflow/network.json")
        let shapes = try #require(fixture["shapes"]?.array?.compactMap { $0.ints })
        var generator = SeededGenerator(seed: 0)
        var network = try FastFlowNetwork(shapes: shapes, steps: 2, hiddenRatio: 1, clamp: 2, conv3x3Only: false,
                                          generator: &generator)
        let names = network.state.keys
        try network.load(Dictionary(uniqueKeysWithValues: try names.map { ($0, try fixture.tensor($0)) }))
        let inputs = try shapes.indices.map { try fixture.tensor("input.\($0)") }
        let outputs = try network.forward(inputs)
        for (scale, output) in outputs.enumerated() {
            #expect(toleranceRatio(output.z, try fixture.tensor("z.\(scale)"), absolute: 1e-4, relative: 1e-4) <= 1)
            #expect(toleranceRatio(output.logDeterminant, try fixture.tensor("log_det.\(scale)"), absolute: 1e-4, relative: 1e-4) <= 1)
        }
        let loss = try #require(try FastFlowNetwork.negativeLogLikelihood(outputs).scalar)
        let expected = try #require(fixture["loss"]?.float)
        #expect(abs(loss - expected) <= 1e-4 * abs(expected), "loss \(loss), anomalib \(expected)")
        let map = try network.anomalyMap(inputs, size: Size2(12))
        #expect(toleranceRatio(map, try fixture.tensor("map").reshaped([2, 12, 12]), absolute: 1e-4, relative: 1e-4) <= 1)
    }

    /// Fitted on the contract's synthetic images, the shared checks of a trained differentiable
    /// detector hold (`expectTrainsWithADifferentiableMap`), and the map, a negative likelihood
    /// averaged over taps, lies in -1...0.
    @Test func trainsAndItsMapIsDifferentiable() throws {
        var options = FastFlow.Options()
        options.epochs = 8
        let scored = try expectTrainsWithADifferentiableMap(FastFlow.self, options: options, epochs: 8)
        #expect(scored.map.scalars.allSatisfy { (-1...0).contains($0) })
    }

    /// The Jacobian `[n, n]` of `f` at `x` by central differences, column by column.
    static func jacobian(of f: (Tensor) throws -> Tensor, at x: Tensor, epsilon: Float = 1e-2) throws -> [[Double]] {
        let base = x.scalars
        var columns: [[Double]] = []
        for i in base.indices {
            var shifted = base
            shifted[i] = base[i] + epsilon
            let plus = try f(Tensor(shape: x.shape, scalars: shifted)).scalars
            shifted[i] = base[i] - epsilon
            let minus = try f(Tensor(shape: x.shape, scalars: shifted)).scalars
            columns.append(zip(plus, minus).map { (Double($0) - Double($1)) / (2 * Double(epsilon)) })
        }
        return base.indices.map { row in columns.map { $0[row] } }
    }

    /// `log|det A|` by Gaussian elimination with partial pivoting.
    static func logAbsDeterminant(_ matrix: [[Double]]) -> Double {
        var a = matrix
        var total = 0.0
        for k in a.indices {
            let pivot = (k..<a.count).max { abs(a[$0][k]) < abs(a[$1][k]) } ?? k
            a.swapAt(k, pivot)
            total += log(abs(a[k][k]))
            for i in (k + 1)..<a.count {
                let factor = a[i][k] / a[k][k]
                for j in k..<a.count { a[i][j] -= factor * a[k][j] }
            }
        }
        return total
    }
}
