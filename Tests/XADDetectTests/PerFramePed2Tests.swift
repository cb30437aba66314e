import Foundation
import Testing
import XADData
import XADDetect
import XADMetrics
import XADModels
import XADTensor
import XADTestSupport

/// UCSD Ped2 with the per-frame and frame-prediction detectors: the runs behind the figures in
/// their READMEs and BENCHMARKS.md. Opt-in (minutes of CPU each, not part of `make test`):
///
/// ```
/// XAD_PED2_VIDEO=perframe XAD_PED2_OPTIONS='{"detectorOptions": {"coresetRatio": 0.01}}' \
///   swift test -c release -Xswiftc -enable-testing --skip-build --filter Ped2VideoTests
/// XAD_PED2_VIDEO=frameprediction XAD_PED2_MINUTES=18 swift test ... --filter Ped2VideoTests
/// ```
/// `XAD_PED2_OPTIONS` holds the detector's option overrides (JSON), `XAD_PED2_MINUTES` the
/// training budget (default 18), `XAD_PED2_SAVE` a path to save the fitted model at and
/// `XAD_PED2_MODEL` a saved model to score instead of fitting. Results go to stderr.
@Suite("Ped2 video detectors (opt-in)", .serialized)
struct Ped2VideoTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test(.enabled(if: environment["XAD_PED2_VIDEO"] != nil))
    func ped2FrameAndPixelAUROC() throws {
        let environment = Self.environment
        let dataset = try UCSDPed().loadVideo(SharedData.url("ucsd_ped2"))
        let model: any VideoAnomalyDetector
        var fitSeconds: Double?
        if let path = environment["XAD_PED2_MODEL"] {
            model = try #require(try SavedModel.load(URL(fileURLWithPath: path)).detector as? any VideoAnomalyDetector)
        } else {
            let name = try #require(environment["XAD_PED2_VIDEO"])
            let overrides = try OptionOverrides(json: environment["XAD_PED2_OPTIONS"] ?? "{}")
            let started = ContinuousClock.now
            model = try Self.fit(try Detectors.named(name), clips: dataset.train, overrides: overrides,
                                 minutes: Double(environment["XAD_PED2_MINUTES"] ?? "18") ?? 18)
            fitSeconds = started.secondsElapsed
            if let path = environment["XAD_PED2_SAVE"] { try SavedModel(detector: model).write(to: URL(fileURLWithPath: path)) }
        }
        let report = try Self.evaluate(model, on: dataset.test)
        let record = model.trainingRecord.map { " epochs \($0.epochs), training \(Int($0.seconds)) s, losses \($0.losses.map { ($0 * 1e5).rounded() / 1e5 })" } ?? ""
        print("Ped2 \(type(of: model).name) \(Self.optionsJSON(model)): frame AUROC micro \(report.micro) macro \(report.macro) (raw scores: micro \(report.rawMicro) macro \(report.rawMacro)), pixel AUROC \(report.pixel), fit \(fitSeconds.map { "\(Int($0)) s" } ?? "loaded"),\(record) scoring \(report.framesPerSecond) frames/s")
        #expect(report.micro > 0.5)
    }

    static func fit<D: AnomalyDetector>(_ type: D.Type, clips: [VideoClip], overrides: OptionOverrides,
                                        minutes: Double) throws -> any VideoAnomalyDetector {
        let options = try D.Options().overriding(overrides, method: D.name)
        let setup = DetectorSetup(backbone: D.traits.needsBackbone ? "efficientnet-lite0" : DetectorSetup.noBackbone,
                                  layers: D.defaultLayers)
        let context = FitContext(images: InMemoryImages([]), clips: clips, setup: setup,
                                 backbone: D.traits.needsBackbone ? try Backbones.load(setup.backbone) : nil,
                                 training: TrainingSettings(seed: 0, maxMinutes: minutes), progress: Self.progress)
        return try #require(try D.fit(context, options: options) as? any VideoAnomalyDetector)
    }

    /// Progress to stderr, a line per stage change or every 50 items.
    static let progress: FitProgress = { stage, done, total in
        if done == total || done % 50 == 0 { FileHandle.standardError.write(Data("\(stage) \(done)/\(total)\n".utf8)) }
    }

    static func optionsJSON(_ model: any AnomalyDetector) -> String {
        (try? JSONEncoder().encode(AnyOptions(model))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    struct AnyOptions: Encodable {
        let model: any AnomalyDetector
        init(_ model: any AnomalyDetector) { self.model = model }
        func encode(to encoder: Encoder) throws { try model.options.encode(to: encoder) }
    }

    struct Report {
        var micro: Double, macro: Double, rawMicro: Double, rawMacro: Double, pixel: Double, framesPerSecond: Double
    }

    /// Frame AUROC (micro and macro, smoothed and raw scores) over the test clips, and pixel AUROC
    /// of the frames' maps against the masks, at the frames' full 360x240 size.
    static func evaluate(_ model: any VideoAnomalyDetector, on clips: [VideoClip]) throws -> Report {
        var smoothed: [VideoFrames] = [], raw: [VideoFrames] = [], maps: [ScoreMap] = [], masks: [DefectMask] = []
        var seconds = 0.0, frames = 0
        for clip in clips {
            let started = ContinuousClock.now
            let result = try model.score(clip: clip, progress: progress)
            seconds += started.secondsElapsed
            frames += clip.count
            let labels = clip.labels.map { $0 == .anomalous }
            smoothed.append(try VideoFrames(name: clip.name, scores: result.scores, labels: labels))
            raw.append(try VideoFrames(name: clip.name, scores: result.frames.map(\.rawScore), labels: labels))
            for (index, frame) in result.frames.enumerated() {
                guard let map = frame.map else { continue }
                let mask = try clip.sample(at: index).load().mask
                maps.append(try ScoreMap(height: map.shape[0], width: map.shape[1], scores: map.scalars, name: "\(clip.name)/\(index)"))
                masks.append(try DefectMask(height: mask.shape[2], width: mask.shape[3], values: mask.scalars, threshold: 0.5,
                                            name: "\(clip.name)/\(index)"))
            }
        }
        let frameAUROC = try FrameAUROC(videos: smoothed), rawAUROC = try FrameAUROC(videos: raw)
        let pixel = maps.isEmpty ? .nan : try PixelMetrics(maps: maps, masks: masks).auroc()
        return Report(micro: frameAUROC.micro, macro: frameAUROC.macro, rawMicro: rawAUROC.micro, rawMacro: rawAUROC.macro,
                      pixel: pixel, framesPerSecond: Double(frames) / seconds)
    }
}
