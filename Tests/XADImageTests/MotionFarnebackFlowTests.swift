import Foundation
import Testing
import XADImage
import XADTestSupport

/// Farnebäck flow against exact synthetic motion (the textures of `MotionFlowTests`, evaluated at
/// moved positions, so the true flow is known at every pixel), and against OpenCV's
/// `calcOpticalFlowFarneback` on the same two 8-bit frames (Tools/reference/gen_farneback.py,
/// Tests/Fixtures/flow/farneback_reference.json).
@Suite("Optical flow: Farnebäck polynomial expansion")
struct MotionFarnebackFlowTests {
    /// A shift of (2.5, -1.0) px: mean EPE below 0.1 px at least 16 px from the borders.
    @Test func recoversASubpixelTranslation() throws {
        let error = try SyntheticMotion.translationError(FarnebackFlow(), shift: (2.5, -1.0), seed: 1, margin: 16)
        print("Farneback EPE, translation (2.5, -1.0): \(error) px")
        #expect(error < 0.1)
    }

    /// A shift of (7, 4) px needs the pyramid: mean EPE below 0.15 px.
    @Test func recoversALargeTranslationThroughThePyramid() throws {
        let error = try SyntheticMotion.translationError(FarnebackFlow(), shift: (7, 4), seed: 2, margin: 24)
        print("Farneback EPE, translation (7, 4): \(error) px")
        #expect(error < 0.15)
    }

    /// A rotation by 3 degrees about the centre (up to about 4 px of motion): mean EPE below 0.15 px.
    @Test func recoversASmallRotation() throws {
        let error = try SyntheticMotion.rotationError(FarnebackFlow(), degrees: 3)
        print("Farneback EPE, rotation 3 degrees: \(error) px")
        #expect(error < 0.15)
    }

    /// OpenCV's flow on the fixture's frames (a rotation by 2 degrees plus a shift, 80 x 64, two
    /// pyramid levels), for the box window with radius 5 and the Gaussian window with radius 7:
    /// the mean end-point difference over every pixel (borders included) is below 0.001 px and the
    /// largest below 0.01 px (measured 4e-5 and 7e-5: the fixture keeps 4 decimals); the flow
    /// itself is about 2 px.
    @Test(arguments: ["box_n5", "gaussian_n7"])
    func agreesWithOpenCV(setting: String) throws {
        let fixture = try Fixture("flow/farneback_reference.json")
        let previous = try fixture.tensor("previous"), next = try fixture.tensor("next")
        let (height, width) = (previous.shape[0], previous.shape[1])
        let first = try GrayPlane(width: width, height: height, values: previous.scalars.map { $0 / 255 })
        let second = try GrayPlane(width: width, height: height, values: next.scalars.map { $0 / 255 })
        guard case .object(let all) = fixture["settings"], case .object(let values) = all[setting] else {
            throw FixtureError("no settings for \(setting)")
        }
        var farneback = FarnebackFlow()
        farneback.pyramidScale = try #require(values["pyramidScale"]?.double)
        farneback.levels = try #require(values["levels"]?.int)
        farneback.windowSize = try #require(values["windowSize"]?.int)
        farneback.iterations = try #require(values["iterations"]?.int)
        farneback.polynomialRadius = try #require(values["polynomialRadius"]?.int)
        farneback.polynomialSigma = try #require(values["polynomialSigma"]?.double)
        farneback.gaussianWindow = try #require(values["gaussianWindow"]?.bool as Bool?)
        let flow = try farneback(first, second)
        let expected = try fixture.tensor("flow_\(setting)").scalars
        var (total, worst, length): (Float, Float, Float) = (0, 0, 0)
        for i in 0..<(width * height) {
            let (du, dv) = (flow.u[i] - expected[2 * i], flow.v[i] - expected[2 * i + 1])
            let difference = (du * du + dv * dv).squareRoot()
            total += difference
            worst = max(worst, difference)
            length += (expected[2 * i] * expected[2 * i] + expected[2 * i + 1] * expected[2 * i + 1]).squareRoot()
        }
        let count = Float(width * height)
        print("Farneback \(setting) against OpenCV: mean end-point difference \(total / count) px, largest \(worst) px, mean flow \(length / count) px")
        #expect(total / count < 0.001)
        #expect(worst < 0.01)
    }

    @Test func identicalFramesHaveNoMotionAndBadInputThrows() throws {
        // Near zero (mean below 1e-4 px) at least 16 px from the border: OpenCV's convention takes
        // the last row and column as outside the second frame, and each of the 3 iterations spreads
        // that edge's spurious motion inwards by the 15-pixel window's half.
        let frame = try Texture(seed: 4).plane(width: 64, height: 48)
        #expect(meanEndPointError(try FarnebackFlow()(frame, frame), margin: 16) { _, _ in (0, 0) } < 1e-4)
        let error = #expect(throws: ImageError.self) { try FarnebackFlow()(frame, GrayPlane(width: 63, height: 48)) }
        #expect(error?.description.contains("64x48 and 63x48") == true)
        var bad = FarnebackFlow()
        bad.pyramidScale = 1
        #expect(throws: ImageError.self) { try bad(frame, frame) }
    }
}
