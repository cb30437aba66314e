import Foundation
import Testing
import XADImage

/// A smooth random texture, evaluated exactly at any real position: a sum of sinusoids with
/// wavelengths of 6 to 40 pixels.
struct Texture {
    private var waves: [(kx: Float, ky: Float, phase: Float, amplitude: Float)] = []

    init(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<24 {
            let wavelength = Float.random(in: 6...40, using: &generator)
            let angle = Float.random(in: 0..<(2 * .pi), using: &generator)
            let k = 2 * Float.pi / wavelength
            waves.append((k * cos(angle), k * sin(angle), Float.random(in: 0..<(2 * .pi), using: &generator),
                          Float.random(in: 0.5...1, using: &generator)))
        }
    }

    func value(_ x: Float, _ y: Float) -> Float {
        0.5 + 0.02 * waves.reduce(0) { $0 + $1.amplitude * sin($1.kx * x + $1.ky * y + $1.phase) }
    }

    /// The plane whose pixel (x, y) shows the texture at `position(x, y)`.
    func plane(width: Int, height: Int, position: (Float, Float) -> (Float, Float) = { ($0, $1) }) throws -> GrayPlane {
        var values: [Float] = []
        for y in 0..<height { for x in 0..<width { let p = position(Float(x), Float(y)); values.append(value(p.0, p.1)) } }
        return try GrayPlane(width: width, height: height, values: values)
    }
}

struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {   // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mean end-point error against a known field over pixels at least `margin` from the border.
func meanEndPointError(_ flow: FlowField, margin: Int, truth: (Int, Int) -> (Float, Float)) -> Float {
    var total: Float = 0, count = 0
    for y in margin..<(flow.height - margin) {
        for x in margin..<(flow.width - margin) {
            let (u, v) = truth(x, y), i = y * flow.width + x
            total += ((flow.u[i] - u) * (flow.u[i] - u) + (flow.v[i] - v) * (flow.v[i] - v)).squareRoot()
            count += 1
        }
    }
    return total / Float(count)
}

/// The synthetic motions both flow suites check (a 160 x 120 texture, moved exactly), as the mean
/// end-point error of `estimator`.
enum SyntheticMotion {
    /// The texture of `seed` shifted by `shift` px, over pixels at least `margin` from the border.
    static func translationError(_ estimator: some DenseFlowEstimator, shift: (Float, Float), seed: UInt64,
                                 margin: Int) throws -> Float {
        let texture = Texture(seed: seed)
        let previous = try texture.plane(width: 160, height: 120)
        let next = try texture.plane(width: 160, height: 120) { ($0 - shift.0, $1 - shift.1) }
        return meanEndPointError(try estimator(previous, next), margin: margin) { _, _ in shift }
    }

    /// The texture of seed 3 rotated by `degrees` about its centre (3 degrees: up to about 4 px of
    /// motion), over pixels at least 16 px from the border.
    static func rotationError(_ estimator: some DenseFlowEstimator, degrees: Float) throws -> Float {
        let texture = Texture(seed: 3)
        let (width, height) = (160, 120)
        let (cx, cy) = (Float(width - 1) / 2, Float(height - 1) / 2)
        let angle = degrees * .pi / 180
        let (c, s) = (cos(angle), sin(angle))
        // Frame 2 at p shows what frame 1 had at R^-1 (p - c) + c; a point q of frame 1 moves to R (q - c) + c.
        let previous = try texture.plane(width: width, height: height)
        let next = try texture.plane(width: width, height: height) { x, y in
            let (dx, dy) = (x - cx, y - cy)
            return (c * dx + s * dy + cx, -s * dx + c * dy + cy)
        }
        return meanEndPointError(try estimator(previous, next), margin: 16) { x, y in
            let (dx, dy) = (Float(x) - cx, Float(y) - cy)
            return (c * dx - s * dy - dx, s * dx + c * dy - dy)
        }
    }
}

/// Dense Lucas-Kanade against exact synthetic motion: the second frame is the texture evaluated
/// at moved positions (no interpolation), so the true flow is known at every pixel.
@Suite("Optical flow: dense pyramidal Lucas-Kanade")
struct MotionFlowTests {
    /// A shift of (2.5, -1.0) px: mean EPE below 0.1 px at least 16 px from the borders.
    @Test func recoversASubpixelTranslation() throws {
        let error = try SyntheticMotion.translationError(DenseLucasKanade(), shift: (2.5, -1.0), seed: 1, margin: 16)
        print("flow EPE, translation (2.5, -1.0): \(error) px")
        #expect(error < 0.1)
    }

    /// A shift of (7, 4) px needs the pyramid: mean EPE below 0.1 px.
    @Test func recoversALargeTranslationThroughThePyramid() throws {
        let error = try SyntheticMotion.translationError(DenseLucasKanade(), shift: (7, 4), seed: 2, margin: 24)
        print("flow EPE, translation (7, 4): \(error) px")
        #expect(error < 0.1)
    }

    /// A rotation by 3 degrees about the centre (up to about 4 px of motion): mean EPE below 0.15 px.
    @Test func recoversASmallRotation() throws {
        let error = try SyntheticMotion.rotationError(DenseLucasKanade(), degrees: 3)
        print("flow EPE, rotation 3 degrees: \(error) px")
        #expect(error < 0.15)
    }

    @Test func identicalFramesHaveNoMotionAndSizesMustMatch() throws {
        let frame = try Texture(seed: 4).plane(width: 64, height: 48)
        let flow = try DenseLucasKanade()(frame, frame)
        #expect(flow.magnitude.allSatisfy { $0 < 1e-4 })
        let other = GrayPlane(width: 63, height: 48)
        let error = #expect(throws: ImageError.self) { try DenseLucasKanade()(frame, other) }
        #expect(error?.description.contains("64x48 and 63x48") == true)
    }
}
