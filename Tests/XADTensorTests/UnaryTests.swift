import Foundation
import Testing
import XADTensor
import XADTestSupport

/// Elementwise functions against PyTorch (`Tools/reference/gen_tensor_ops.py`), including the
/// kinks and thresholds where PyTorch picks a particular gradient (relu at 0, relu6 at 6,
/// hardswish at ±3, softplus at 20, clamp at its bounds: PyTorch 2.15 gives 0 on a bound).
@Suite("Unary functions")
struct UnaryTests {
    static let functions: [(String, @Sendable (Tensor) -> Tensor)] = [
        ("exp", { $0.exp() }), ("exp_1x1", { $0.exp() }), ("log", { $0.log() }), ("sqrt", { $0.sqrt() }),
        ("relu", { $0.relu() }), ("relu6", { $0.relu6() }), ("sigmoid", { $0.sigmoid() }),
        ("tanh", { $0.tanh() }), ("softplus", { $0.softplus() }), ("hardswish", { $0.hardswish() }),
        ("abs", { $0.abs() }), ("squared", { $0.squared() }),
        ("pow_2", { $0.pow(2) }), ("pow_3", { $0.pow(3) }), ("pow_0p5", { $0.pow(0.5) }),
        ("pow_m1p5", { $0.pow(-1.5) }),
        ("clamp_both", { $0.clamped(min: -2, max: 3) }), ("clamp_min", { $0.clamped(min: 0, max: nil) }),
        ("clamp_max", { $0.clamped(min: nil, max: 3) }),
    ]

    // tolerance: 1e-5 relative, 1e-6 absolute (libm and PyTorch's vectorised exp/log/tanh differ
    // by an ulp or two).
    @Test(arguments: functions.map(\.0))
    func matchesPyTorch(_ name: String) throws {
        let function = try #require(Self.functions.first { $0.0 == name }?.1)
        let ratios = try fixtureMismatch(Fixture("tensor_ops/unary_\(name).json"), inputs: ["x"],
                                         absolute: 1e-6, relative: 1e-5) { function($0[0]) }
        for (key, ratio) in ratios { #expect(ratio <= 1, "unary_\(name) \(key): \(ratio)") }
    }

    @Test func handComputedValues() throws {
        let x = try Tensor(shape: [4], scalars: [-4, -1, 0, 7])
        #expect(x.relu().scalars == [0, 0, 0, 7] as [Float])
        #expect(x.relu6().scalars == [0, 0, 0, 6] as [Float])
        #expect(x.abs().scalars == [4, 1, 0, 7] as [Float])
        #expect(x.hardswish().scalars == [0, -1.0 / 3.0, 0, 7] as [Float])
        #expect(x.clamped(min: -1, max: 1).scalars == [-1, -1, 0, 1] as [Float])
        #expect(x.sigmoid().scalars[2] == 0.5)
    }

    /// `exp` uses its own vectorisable polynomial; it must stay within 2.5e-7 relative of the
    /// Double-precision value over the whole range, with the edges (0, inf, NaN) right.
    @Test func expIsAccurateAcrossItsRange() throws {
        let inputs = (0...20_000).map { Float($0) / 100 - 100 }   // -100 ... 100
        let values = try Tensor(shape: [inputs.count], scalars: inputs).exp().scalars
        var worst: Double = 0
        for (x, value) in zip(inputs, values) {
            let expected = Foundation.exp(Double(x))
            if expected < 1.2e-38 {
                #expect(value == 0 || Double(value) <= 1.2e-38, "exp(\(x))")
            } else if expected > Double(Float.greatestFiniteMagnitude) {
                #expect(value == .infinity, "exp(\(x))")
            } else {
                worst = Swift.max(worst, Swift.abs(Double(value) - expected) / expected)
            }
        }
        #expect(worst <= 2.5e-7)
        let edges = try Tensor(shape: [3], scalars: [.nan, -.infinity, .infinity]).exp().scalars
        #expect(edges[0].isNaN && edges[1] == 0 && edges[2] == .infinity)
    }

    @Test func sigmoidAndSoftplusStayFiniteForHugeInputs() throws {
        let x = try Tensor(shape: [2], scalars: [-1000, 1000])
        #expect(x.sigmoid().scalars == [0, 1] as [Float])
        #expect(x.softplus().scalars == [0, 1000] as [Float])
    }

    @Test func nanPassesThroughLikePyTorch() throws {
        let x = try Tensor(shape: [1], scalars: [.nan])
        for (name, y) in [("relu", x.relu()), ("relu6", x.relu6()), ("clamped", x.clamped(min: 0, max: 1)),
                          ("hardswish", x.hardswish()), ("sigmoid", x.sigmoid()), ("exp", x.exp())] {
            #expect(y.scalars[0].isNaN, "\(name)")
        }
    }

    @Test func untrackedInputsRecordNothing() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2])
        #expect(!x.exp().isTracked)
        let tape = GradientTape()
        #expect(tape.watch(x).exp().isTracked)
    }
}
