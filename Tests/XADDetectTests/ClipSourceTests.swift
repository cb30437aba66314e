import Foundation
import Testing
import XADData
import XADDetect
import XADTestSupport

/// A UCSD clip fits a video detector's context as a ``ClipSource``: its frames in order.
@Suite("Clips as fitting input")
struct ClipSourceTests {
    @Test(.enabled(if: SharedData.shouldTest("ucsd_ped2")))
    func aPed2ClipGivesItsFramesInOrder() throws {
        let dataset = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        let clip = try #require(dataset.train.first)
        let source: any ClipSource = clip
        #expect(source.name == clip.name && source.frames.count == clip.count)
        let frame = try source.frames.image(at: 3)
        #expect(frame.shape.suffix(2) == [240, 360])
        #expect(frame.scalars == (try clip.tensor(at: 3)).scalars)
    }
}
