import Foundation
import Testing
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// The attribute-based detector on the real UCSD Ped2: fitted on the 16 training clips, scored on
/// all 12 test clips, frame-level AUROC against `UCSDped2.m`'s labels; and the training-free speed
/// baseline on the same clips, which the detector must beat.
@Suite("Attributes on UCSD Ped2", .enabled(if: SharedData.shouldTest("ucsd_ped2")))
struct AttributesPed2Tests {
    @Test func reachesTheFrameAUROCOfItsREADME() throws {
        let ped2 = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        // Every second training frame keeps the test within its time budget.
        var options = Attributes.Options()
        options.trainingFrameStride = 2
        if let settings = ProcessInfo.processInfo.environment["XAD_ATTRIBUTES_SET"] {
            options = try options.overriding(OptionOverrides(settings: settings.split(separator: ",").map(String.init)), method: "attributes")
        }
        let setup = DetectorSetup(layers: Attributes.defaultLayers, preprocessing: Preprocessing(imageSize: Size2(height: 160, width: 240)))
        let start = Date()
        let model = try Attributes.fit(FitContext(images: InMemoryImages([]), clips: ped2.train, setup: setup,
                                                  backbone: try Backbones.load("efficientnet-lite0")), options: options)
        let fitSeconds = Date().timeIntervalSince(start)
        let scoring = Date()
        let results = try ped2.test.map { clip in
            var result = try model.score(clip: clip)
            for t in result.frames.indices { result.frames[t].map = nil }   // 62 MB a clip; the scores are what is measured
            return result
        }
        let scoreSeconds = Date().timeIntervalSince(scoring)
        let labels = ped2.test.map { $0.labels.map { $0 == .anomalous } }
        let auroc = try FrameAUROC(videos: zip(results, labels).map { result, clipLabels in
            try VideoFrames(name: result.clip, scores: result.scores, labels: clipLabels)
        })
        print("attributes Ped2: micro \(auroc.micro) macro \(auroc.macro) (\(auroc.macroVideoCount) clips) fit \(fitSeconds) s, scoring \(scoreSeconds) s")
        for (result, clipLabels) in zip(results, labels) {
            let frames = try VideoFrames(name: result.clip, scores: result.scores, labels: clipLabels)
            let clip = try? FrameAUROC(videos: [frames])
            print("  \(result.clip): \(clip.map { String($0.micro) } ?? "one class")")
        }
        var dump: [String] = []
        for (result, clipLabels) in zip(results, labels) {
            for (t, frame) in result.frames.enumerated() {
                var line = "\(result.clip),\(t),\(clipLabels[t] ? 1 : 0),\(frame.score),\(frame.rawScore)"
                for a in 0..<3 {
                    let best: Float = frame.objects.compactMap { $0.attributes.count > a ? $0.attributes[a].score : nil }.max() ?? 0
                    line += ",\(best)"
                }
                dump.append(line + ",\(frame.objects.count)")
            }
        }
        // Every frame's scores (clip, frame, label, score, raw score, max per attribute, objects), for analysis.
        let table = FileManager.default.temporaryDirectory.appendingPathComponent("attributes-ped2-frames.csv")
        try? dump.joined(separator: "\n").write(to: table, atomically: true, encoding: .utf8)
        let baseline = SpeedBaseline(options: options)
        let baselineAUROC = try FrameAUROC(videos: try zip(ped2.test, labels).map { clip, clipLabels in
            try VideoFrames(name: clip.name, scores: try baseline.scores(clip: clip), labels: clipLabels)
        })
        print("speed baseline Ped2: micro \(baselineAUROC.micro) macro \(baselineAUROC.macro)")
        // Floors 0.5 point under the measured values with Farnebäck flow (README): attributes
        // 0.949 micro, the speed baseline 0.900 micro; the learned detector must beat the
        // baseline by far (4.9 points measured).
        #expect(auroc.micro >= 0.944)
        #expect(baselineAUROC.micro >= 0.895)
        #expect(auroc.micro >= baselineAUROC.micro + 0.04)
    }
}
