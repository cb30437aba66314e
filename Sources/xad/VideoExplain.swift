import ArgumentParser
import Foundation
import XADBench
import XADData
import XADDetect
import XADImage
import XADTensor

/// `xad explain --data DIR --clip NAME --frames A-B`: the video frames to explain.
struct VideoFrameSelection: ParsableArguments {
    @Option(help: "Explain frames of a clip of this video data set (with --clip and --frames) instead of images.")
    var data: String?

    @Option(help: "The video data set's layout, e.g. ucsd (default: detected).")
    var format: String?

    @Option(help: "Video: the clip, by name (a test clip, else a training clip), e.g. 01.")
    var clip: String?

    @Option(help: ArgumentHelp("Video: the frames, 0-based and inclusive: A-B or one frame A.", valueName: "A-B"))
    var frames: String?

    /// The frame range `--frames` names, checked against a clip of `count` frames.
    func range(in clip: String, count: Int) throws -> ClosedRange<Int> {
        guard let frames else { throw CommandError.usage("--frames A-B is required with --data (the frames of --clip to explain)") }
        let parts = frames.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), let first = parts[0], let last = parts[parts.count - 1], first <= last else {
            throw CommandError.usage("--frames must be A-B with 0 <= A <= B, or one frame A; got '\(frames)'")
        }
        guard first >= 0, last < count else {
            throw CommandError.usage("--frames \(frames): clip \(clip) has frames 0-\(count - 1)")
        }
        return first...last
    }
}

extension ExplainCommand {
    /// What `xad explain` writes and prints for one video frame.
    struct FrameExplanation: Encodable {
        let clip: String
        let frame: Int
        let score: Float
        let rawScore: Float
        let threshold: Float?
        let label: String?
        let truth: String
        let objects: [ObjectEvidence]
        let picture: String
        let map: String?
    }

    /// Scores the clip and writes the evidence of each chosen frame into OUT/CLIP/.
    func explainFrames(_ path: String) throws {
        guard images.isEmpty else { throw CommandError.usage("give images or --data with --clip and --frames, not both") }
        guard let clipName = frames.clip else { throw CommandError.usage("--clip NAME is required with --data (the clip whose frames to explain)") }
        let saved = try modelFile.load()
        let detector = try videoDetector(of: saved)
        if let method, method != "evidence" {
            // The seam for image explainers on frames (Grad-CAM, integrated gradients) of
            // differentiable video detectors; until then a video detector explains itself.
            throw CommandError.usage("--method \(method): image explainers on video frames need a differentiable video detector; "
                                     + "\(type(of: detector).name) is explained by its own evidence (--method evidence, the default)")
        }
        guard let dataset = try loadVideoDataset(path, format: frames.format) else {
            throw CommandError.usage("\(path) is an image data set; --data with --clip is for video data sets (give images as arguments)")
        }
        guard let clip = dataset.test.first(where: { $0.name == clipName }) ?? dataset.train.first(where: { $0.name == clipName }) else {
            throw CommandError.usage("--clip: \(dataset.name) has no clip \(clipName) (test clips: \(dataset.test.map(\.name).joined(separator: ", ")))")
        }
        let range = try frames.range(in: clip.name, count: clip.count)
        let console = progress.console
        let result = try detector.score(clip: clip, progress: console.progress)
        // Created after scoring, so that a clip that fails to decode leaves nothing behind.
        let folder = URL(fileURLWithPath: out).appendingPathComponent(clip.name, isDirectory: true)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw CommandError.data("\(folder.path): cannot create the folder (\(error.localizedDescription))")
        }
        let annotation = VideoAnnotation(training: dataset.train, threshold: saved.threshold, colorMap: colorMap)
        let encoder = JSONOutputOptions.encoder
        var explained: [FrameExplanation] = []
        for index in range {
            let frame = result.frames[index], name = String(format: "%03d", index)
            let picture = folder.appendingPathComponent("\(name).png")
            let panel = try annotation.panel(try clip.tensor(at: index), map: frame.map, objects: frame.objects,
                                             caption: "\(clip.name) frame \(index) score \(String(format: "%.3g", frame.score))")
            try Image(tensor: panel).write(to: picture, format: .png)
            let mapFile = folder.appendingPathComponent("\(name)_map.npy")
            if let map = frame.map { try NPYFile.write(map, to: mapFile) }
            let explanation = FrameExplanation(
                clip: clip.name, frame: index, score: frame.score, rawScore: frame.rawScore, threshold: saved.threshold,
                label: saved.threshold.map { frame.score >= $0 ? "anomalous" : "normal" }, truth: clip.labels[index].rawValue,
                objects: frame.objects, picture: picture.path, map: frame.map == nil ? nil : mapFile.path)
            try writeAtomically(try encoder.encode(explanation) + Data("\n".utf8),
                                to: folder.appendingPathComponent("\(name).json").path, what: "frame explanation")
            explained.append(explanation)
            if !output.isStandardOutput {
                let line = JSONOutputOptions.encoder
                line.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try line.encode(explanation), as: UTF8.self))
            }
        }
        try output.write(explained)
    }
}
