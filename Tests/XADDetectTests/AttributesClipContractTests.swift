import Testing
import XADContracts
import XADDetect

/// Every built-in video detector keeps the clip contract (``ClipDetectorContract``), as
/// `DetectorContractTests` checks the image detectors: registering a video detector adds it here.
@Suite("Clip detector contract")
struct AttributesClipContractTests {
    @Test(arguments: Detectors.builtIn.filter { $0.traits.input == .clips }.map { $0.name })
    func keepsTheClipContract(_ name: String) throws {
        try ClipDetectorContract.check(try Detectors.named(name))
    }

    @Test func theAttributeDetectorIsRegisteredAsAVideoDetector() throws {
        #expect(try Detectors.named("attributes").traits.input == .clips)
    }
}
