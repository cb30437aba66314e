import ArgumentParser
import Foundation
import XADBench
import XADData
import XADDetect

extension DatasetOptions {
    /// The video data set at `--data` when its format (named or detected) is a video format such
    /// as `ucsd`; nil for an image format, whose commands then take their image path.
    func loadVideo() throws -> VideoDataset? { try loadVideoDataset(data, format: format) }
}

/// The video data set at `path` when its format (`format`, or the detected one) is a video
/// format; nil for an image format.
func loadVideoDataset(_ path: String, format: String?) throws -> VideoDataset? {
    let root = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
        throw DatasetError.missingFolder(root)
    }
    guard let video = try DatasetFormats.resolve(format, for: root) as? any VideoDatasetFormat else { return nil }
    return try video.loadVideo(root)
}

/// `--clips A,B`: the test clips of a video data set a command reads (default all).
struct ClipSelection: ParsableArguments {
    @Option(help: ArgumentHelp("Video data sets: only these test clips, comma-separated (e.g. 01,04).", valueName: "names"))
    var clips: String?

    /// `dataset` with only the chosen test clips, in the data set's order.
    /// - Throws: a usage error naming a clip the data set does not have.
    func apply(to dataset: VideoDataset) throws -> VideoDataset {
        guard let clips else { return dataset }
        let names = clips.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = Set(dataset.test.map(\.name))
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw CommandError.usage("--clips: \(dataset.name) has no test clip \(unknown) (it has \(dataset.test.map(\.name).joined(separator: ", ")))")
        }
        var selected = dataset
        selected.test = dataset.test.filter { names.contains($0.name) }
        return selected
    }
}

/// The model's detector as a video detector, or a usage error saying that it scores images.
func videoDetector(of saved: SavedModel) throws -> any VideoAnomalyDetector {
    guard let detector = saved.detector as? any VideoAnomalyDetector else {
        throw VideoEvaluationError.notAVideoModel(detector: type(of: saved.detector).name)
    }
    return detector
}
