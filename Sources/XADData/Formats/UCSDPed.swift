import Foundation
import XADImage
import XADTensor

/// The UCSD Anomaly Detection data sets, Ped1 and Ped2 (Mahadevan et al., CVPR 2010), in either
/// layout users have. The label script at the root (`UCSDped1.m` or `UCSDped2.m`; in the original
/// layout also under `Test/`) says which set it is and lists each test clip's anomalous frames.
///
/// - JPEG frame layout (most reimplementations): `training/frames/NN/NNN.jpg` and
///   `testing/frames/NN/NNN.jpg`, frames numbered from 0 (`000.jpg` is the script's frame 1);
///   pixel masks `testing/masks/NN/NNN.png` where present.
/// - Original layout: `Train/TrainNNN/NNN.tif` and `Test/TestNNN/NNN.tif`, frames numbered from 1;
///   pixel masks `Test/TestNNN_gt/NNN.bmp` (or `frameNNN.bmp`) where present.
///
/// Loading checks that every clip's frames are numbered without gaps, that every clip with a mask
/// folder has a mask for each frame, and that the script labels as many clips as there are, within
/// their lengths. Clips without masks still evaluate at frame level. Frame sizes are checked as
/// frames are decoded (``VideoClip/frame(at:)``).
public struct UCSDPed: VideoDatasetFormat {
    public let name = "ucsd"
    public let layout = "UCSDped1.m or UCSDped2.m with training/frames/NN and testing/frames/NN (masks testing/masks/NN), or Train/TrainNNN and Test/TestNNN (masks Test/TestNNN_gt)"

    /// The two ways the set is stored.
    public enum Layout: String, Sendable {
        /// `training/frames/NN/NNN.jpg`, 0-based.
        case jpegFrames
        /// `Train/TrainNNN/NNN.tif`, 1-based.
        case original
    }

    public init() {}

    public func matches(_ root: URL) -> Bool {
        guard let layout = Self.layout(of: root) else { return false }
        return !Self.labelScripts(in: root, layout: layout).isEmpty
    }

    /// The layout of `root`, or nil when it is neither.
    public static func layout(of root: URL) -> Layout? {
        if Files.isFolder(root.appendingPathComponent("training/frames")) { return .jpegFrames }
        if Files.isFolder(root.appendingPathComponent("Train")) { return .original }
        return nil
    }

    public func loadVideo(_ root: URL) throws -> VideoDataset {
        guard let layout = Self.layout(of: root) else {
            throw DatasetError.unrecognisedLayout(root, known: ["\(name): \(self.layout)"])
        }
        let scripts = Self.labelScripts(in: root, layout: layout)
        guard scripts.count == 1, let scriptURL = scripts.first else {
            let problem = scripts.isEmpty ? "no UCSDped1.m or UCSDped2.m label script found"
                : "more than one label script (\(scripts.map(\.lastPathComponent).joined(separator: ", "))): cannot tell Ped1 from Ped2"
            throw VideoDataError.labelFile(folder: root, problem: problem)
        }
        let script = try UCSDLabelScript(contentsOf: scriptURL)
        let setName = scriptURL.lastPathComponent.hasPrefix("UCSDped1") ? "UCSD Ped1" : "UCSD Ped2"

        let (trainFolders, testFolders) = Self.clipFolders(root, layout: layout)
        guard !trainFolders.isEmpty else {
            throw DatasetError.emptyFolder(root.appendingPathComponent(layout == .jpegFrames ? "training/frames" : "Train"),
                                           expected: "one folder of frames per training clip")
        }
        guard script.anomalousFrames.count == testFolders.count else {
            throw VideoDataError.labelClipCount(file: scriptURL, labelled: script.anomalousFrames.count, clips: testFolders.count)
        }
        let firstFrame = layout == .jpegFrames ? 0 : 1
        let train = try trainFolders.map { folder in
            let frames = try NumberedFrames(folder: folder, clip: folder.lastPathComponent, first: firstFrame)
            return try VideoClip(name: folder.lastPathComponent, frames: frames)
        }
        let test = try testFolders.enumerated().map { index, folder in
            let name = folder.lastPathComponent
            let frames = try NumberedFrames(folder: folder, clip: name, first: firstFrame)
            let flags = try script.flags(clip: index, name: name, frameCount: frames.urls.count)
            let maskFolder = layout == .jpegFrames
                ? root.appendingPathComponent("testing/masks/\(name)")
                : folder.deletingLastPathComponent().appendingPathComponent("\(name)_gt")
            let masks = Files.isFolder(maskFolder) ? try Self.masks(in: maskFolder, for: frames, clip: name) : nil
            return try VideoClip(name: name, frames: frames).labelled(flags, masks: masks, from: scriptURL)
        }
        return VideoDataset(name: setName, train: train, test: test, labelSource: scriptURL.lastPathComponent)
    }

    /// `UCSDped1.m` / `UCSDped2.m` at the root (and, in the original layout, in `Test/`).
    static func labelScripts(in root: URL, layout: Layout) -> [URL] {
        let folders = layout == .original ? [root, root.appendingPathComponent("Test")] : [root]
        return folders.flatMap { folder in
            ["UCSDped1.m", "UCSDped2.m"].map { folder.appendingPathComponent($0) }.filter(Files.exists)
        }
    }

    private static func clipFolders(_ root: URL, layout: Layout) -> (train: [URL], test: [URL]) {
        switch layout {
        case .jpegFrames:
            return (Files.subfolders(of: root.appendingPathComponent("training/frames")),
                    Files.subfolders(of: root.appendingPathComponent("testing/frames")))
        case .original:
            let isClip = { (prefix: String) in
                { (url: URL) in url.lastPathComponent.hasPrefix(prefix) && !url.lastPathComponent.hasSuffix("_gt") }
            }
            return (Files.subfolders(of: root.appendingPathComponent("Train")).filter(isClip("Train")),
                    Files.subfolders(of: root.appendingPathComponent("Test")).filter(isClip("Test")))
        }
    }

    /// Pairs each frame with the mask of the same number; a frame without one is an error.
    private static func masks(in folder: URL, for frames: NumberedFrames, clip: String) throws -> [MaskSource?] {
        var byNumber: [Int: URL] = [:]
        for url in Files.images(in: folder) {
            if let number = NumberedFrames.frameNumber(url.lastPathComponent) { byNumber[number] = url }
        }
        let maskExtension = byNumber.values.first?.pathExtension ?? "png"
        return try zip(frames.urls, frames.numbers).map { frame, number in
            guard let mask = byNumber[number] else {
                let expected = folder.appendingPathComponent(Files.stem(frame)).appendingPathExtension(maskExtension)
                throw VideoDataError.missingMask(clip: clip, frame: frame, expectedMask: expected)
            }
            return .file(mask, threshold: 128)
        }
    }
}
