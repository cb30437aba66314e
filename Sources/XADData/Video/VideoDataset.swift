import Foundation

/// A video data set: normal training clips and labelled test clips, decoded lazily.
public struct VideoDataset: Sendable {
    /// A name for reports, e.g. "UCSD Ped2".
    public var name: String
    /// Normal clips to fit on.
    public var train: [VideoClip]
    /// Clips to evaluate on, with per-frame labels and, where present, masks.
    public var test: [VideoClip]
    /// Which ground truth gave the test labels, where a data set has more than one published
    /// (e.g. CUHK Avenue's mask volumes or MNAD's frame labels), for reports; nil if unnamed.
    public var labelSource: String?

    public init(name: String, train: [VideoClip], test: [VideoClip], labelSource: String? = nil) {
        (self.name, self.train, self.test, self.labelSource) = (name, train, test, labelSource)
    }

    /// The clips' frames as an image data set, for image detectors applied per frame: every
    /// training frame a normal sample, every test frame a sample with its label and mask.
    public var frames: Dataset {
        Dataset(name: name, train: train.flatMap(\.samples), test: test.flatMap(\.samples))
    }
}

/// A data set layout made of clips. A video format is also a ``DatasetFormat``: loading it as one
/// gives the frames (``VideoDataset/frames``), so image commands and detectors work on it too.
public protocol VideoDatasetFormat: DatasetFormat {
    /// Reads the clips. Throws ``VideoDataError`` or ``DatasetError`` naming the clip, frame or file.
    func loadVideo(_ root: URL) throws -> VideoDataset
}

extension VideoDatasetFormat {
    public func load(_ root: URL) throws -> Dataset { try loadVideo(root).frames }
}
