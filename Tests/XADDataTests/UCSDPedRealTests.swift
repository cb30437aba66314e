import Foundation
import Testing
import XADData
import XADTensor
import XADTestSupport

/// The real UCSD Ped2 (JPEG frame layout) in ../shared/data/ucsd_ped2.
@Suite("UCSD Ped2 on the real data", .enabled(if: SharedData.shouldTest("ucsd_ped2")))
struct UCSDPedRealTests {
    @Test func ped2HasTheDocumentedClipsFramesAndLabels() throws {
        let video = try DatasetFormats.resolve(nil, for: SharedData.url("ucsd_ped2"))
        let ped2 = try #require(video as? UCSDPed).loadVideo(SharedData.url("ucsd_ped2"))
        #expect(ped2.name == "UCSD Ped2")
        #expect(ped2.train.count == 16 && ped2.train.reduce(0) { $0 + $1.count } == 2_550)
        #expect(ped2.test.count == 12 && ped2.test.reduce(0) { $0 + $1.count } == 2_010)
        #expect(ped2.test.reduce(0) { $0 + $1.anomalousCount } == 1_648)
        #expect(ped2.test.allSatisfy { $0.hasMasks })
        #expect((ped2.train + ped2.test).allSatisfy { $0.frameSize == Size2(height: 240, width: 360) })
        // The script's frame 61 of clip 1 (1-based) is 060.jpg, the first anomalous one.
        #expect(ped2.test[0].labels[59] == .normal && ped2.test[0].labels[60] == .anomalous)
    }

    /// Frames with a non-empty mask are exactly the frames UCSDped2.m marks anomalous.
    @Test func ped2MasksAreNonEmptyExactlyOnAnomalousFrames() throws {
        let ped2 = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        var mismatches: [String] = []
        for clip in ped2.test {
            for (index, reference) in clip.samples.enumerated() {
                let sample = try reference.load()
                let nonEmpty = sample.mask.scalars.contains(1)
                if nonEmpty != (clip.labels[index] == .anomalous) { mismatches.append("\(clip.name)/\(index)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}
