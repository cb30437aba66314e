import Foundation
import Testing
@testable import XADDetect
import XADContracts
import XADImage
import XADModels
import XADTensor
import XADTestSupport

@Suite("STFPM")
struct STFPMTests {
    /// anomalib 2.7's `STFPMLoss` and `AnomalyMapGenerator` on the same random teacher and
    /// student maps at three taps (`Tests/Fixtures/stfpm/matching.json`,
    /// `Tools/reference/gen_stfpm.py`; one student vector is zero, where `F.normalize` floors the
    /// length): loss within 1e-5 relative, d loss / d student (PyTorch autograd) and the map
    /// (product over taps, upsampled to 16 x 12) within 1e-5 absolute plus 1e-4 relative.
    @Test func lossAndMapEqualAnomalibs() throws {
        let fixture = try Fixture("stfpm/matching.json")
        let tape = GradientTape()
        let teacher = try (0..<3).map { try fixture.tensor("teacher\($0)") }
        let student = try (0..<3).map { tape.watch(try fixture.tensor("student\($0)")) }
        let loss = try FeaturePyramidMatching.loss(teacher: teacher, student: student)
        let expected = try #require(fixture["loss"]?.float)
        let value = try #require(loss.scalar)
        #expect(abs(value - expected) <= 1e-5 * abs(expected), "loss \(value), anomalib \(expected)")
        let gradients = try tape.gradients(of: loss, withRespectTo: student)
        for (tap, gradient) in gradients.enumerated() {
            #expect(toleranceRatio(gradient, try fixture.tensor("dstudent\(tap)"), absolute: 1e-5, relative: 1e-4) <= 1, "tap \(tap)")
        }
        let map = try FeaturePyramidMatching.anomalyMap(teacher: teacher, student: student.map(\.detached),
                                                        size: Size2(height: 16, width: 12), combination: .product)
        #expect(toleranceRatio(map, try fixture.tensor("map"), absolute: 1e-5, relative: 1e-4) <= 1)
    }

    /// The student is timm's `efficientnet_lite0` (anomalib's student) layer for layer: with the
    /// weights of timm's own random initialisation (`Tests/Fixtures/stfpm/student.json`), one
    /// training-mode step on a 2 x 3 x 16 x 16 input gives timm's stage1 map (batch statistics),
    /// the stem's updated running statistics, and d sum(stage1 · g) / d stem kernel (autograd),
    /// each within 1e-4 absolute plus 1e-3 relative.
    @Test func studentTrainsAsTimmsEfficientNetLite0() throws {
        let fixture = try Fixture("stfpm/student.json")
        var generator = SeededGenerator(seed: 0)
        var student = try StudentNetwork(EfficientNetLiteArchitecture(.lite0), layers: ["stage1"], generator: &generator)
        let names = try #require(fixture["names"]?.array?.compactMap { $0.string })
        #expect(Set(names) == Set(student.state.keys))
        try student.load(Dictionary(uniqueKeysWithValues: try names.map { ($0, try fixture.tensor("w.\($0)")) }))

        let tape = GradientTape()
        var watched = student
        watched.watchParameters(on: tape)
        let stage1 = try #require(try watched(training: try fixture.tensor("x"))["stage1"])
        #expect(toleranceRatio(stage1, try fixture.tensor("stage1"), absolute: 1e-4, relative: 1e-3) <= 1)
        let gradients = try tape.gradients(of: try (stage1 * fixture.tensor("g")).sum(), for: watched)
        #expect(toleranceRatio(try #require(gradients["stem.0.weight"]), try fixture.tensor("dstem"), absolute: 1e-4, relative: 1e-3) <= 1)
        #expect(toleranceRatio(try #require(watched.state["stem.1.running_mean"]), try fixture.tensor("stem_running_mean"),
                               absolute: 1e-4, relative: 1e-3) <= 1)
        #expect(toleranceRatio(try #require(watched.state["stem.1.running_var"]), try fixture.tensor("stem_running_var"),
                               absolute: 1e-4, relative: 1e-3) <= 1)
    }

    /// Fitted on the contract's synthetic images: the loss falls, the recorded map is the scored
    /// map (within 1e-6 absolute plus 1e-5 relative), and its gradient with respect to the input
    /// is finite and not zero.
    @Test func trainsAndItsMapIsDifferentiable() throws {
        var options = STFPM.Options()
        options.epochs = 6
        _ = try expectTrainsWithADifferentiableMap(STFPM.self, options: options, epochs: 6)
    }
}
