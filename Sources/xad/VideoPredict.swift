import ArgumentParser
import Foundation
import XADData
import XADDetect
import XADImage

/// `xad predict --data DIR`: the video data set whose test clips are scored frame by frame.
struct VideoPredictionOptions: ParsableArguments {
    @Option(help: "Score the test clips of this video data set (instead of images), one line per frame.")
    var data: String?

    @Option(help: "The video data set's layout, e.g. ucsd (default: detected).")
    var format: String?

    @OptionGroup var clipSelection: ClipSelection

    @Option(help: ArgumentHelp("Video data sets: also write the frame scores as CSV to this file.", valueName: "file"))
    var csv: String?
}

extension PredictCommand {
    /// One frame's prediction: its clip, 0-based index and file, the smoothed and raw scores,
    /// the normalised score and the label at the saved threshold, and the ground truth.
    struct FramePrediction: Encodable {
        let clip: String
        let frame: Int
        let file: String
        let score: Float
        let rawScore: Float
        let normalisedScore: Double?
        let label: String?
        let truth: String

        static let csvHeader = "clip,frame,file,score,raw_score,normalised_score,label,truth"
        var csvLine: String {
            [clip, "\(frame)", file, "\(score)", "\(rawScore)", normalisedScore.map { "\($0)" } ?? "", label ?? "", truth]
                .map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                .joined(separator: ",")
        }
    }

    /// Scores every frame of the chosen test clips; JSON lines on stdout, `--json` and `--csv` files.
    func predictVideo(_ path: String) throws {
        guard inputs.isEmpty, maps == nil else {
            throw CommandError.usage("give images or --data, not both (--maps is for images; video maps come with xad explain --clip)")
        }
        if let csv = video.csv { try checkWritable(csv, option: "--csv") }
        let saved = try modelFile.load()
        let detector = try videoDetector(of: saved)
        guard let dataset = try loadVideoDataset(path, format: video.format) else {
            throw CommandError.usage("\(path) is an image data set; --data is for video data sets (give images as arguments)")
        }
        let console = Console(quiet: reading.quiet || (isatty(STDOUT_FILENO) == 1 && !output.isStandardOutput))
        let encoder = JSONOutputOptions.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var predictions: [FramePrediction] = []
        for clip in try video.clipSelection.apply(to: dataset).test {
            let result = try detector.score(clip: clip, progress: console.progress)
            for (index, frame) in result.frames.enumerated() {
                let prediction = FramePrediction(
                    clip: clip.name, frame: index, file: clip.file(of: index).path, score: frame.score, rawScore: frame.rawScore,
                    normalisedScore: saved.normalisation.map { $0(Double(frame.score)) },
                    label: saved.threshold.map { frame.score >= $0 ? "anomalous" : "normal" }, truth: clip.labels[index].rawValue)
                predictions.append(prediction)
                if !output.isStandardOutput { print(String(decoding: try encoder.encode(prediction), as: UTF8.self)) }
            }
        }
        if let csv = video.csv {
            let text = ([FramePrediction.csvHeader] + predictions.map(\.csvLine)).joined(separator: "\n") + "\n"
            try writeAtomically(Data(text.utf8), to: csv, what: "CSV of frame scores")
        }
        try output.write(predictions)
    }
}
