import Foundation

/// Whether a sample is normal or anomalous.
public enum Label: String, Codable, Sendable, Hashable {
    case normal, anomalous

    /// True for anomalous samples: the positive class of every metric.
    public var isAnomalous: Bool { self == .anomalous }
}

/// An axis-aligned box in pixel coordinates of the original image; `x1, y1` inclusive,
/// `x2, y2` exclusive.
public struct DefectBox: Codable, Sendable, Hashable {
    public var x1: Int, y1: Int, x2: Int, y2: Int
    /// A dataset-specific defect type (DeepPCB: 1 open, 2 short, 3 mousebite, 4 spur, 5 copper,
    /// 6 pin-hole), if known.
    public var type: Int?

    public init(x1: Int, y1: Int, x2: Int, y2: Int, type: Int? = nil) {
        (self.x1, self.y1, self.x2, self.y2, self.type) = (x1, y1, x2, y2, type)
    }
}

/// Where a sample's ground-truth defect mask comes from.
public enum MaskSource: Codable, Sendable, Hashable {
    /// A mask image; pixels at or above `threshold` (0...255 scale) are defect.
    case file(URL, threshold: UInt8 = 128)
    /// Boxes drawn into an empty mask of the image's size.
    case boxes([DefectBox])
    /// Entry `index` of a `.npy` mask volume of shape `[frames, H, W]` (ShanghaiTech's
    /// `test_pixel_mask`); non-zero values are defect.
    case volumeSlice(URL, index: Int)
}

/// One image of a dataset, not yet decoded: what it is, where it is and its ground truth.
public struct SampleReference: Codable, Sendable, Hashable {
    /// The image file, or the video file holding the frame.
    public var image: URL
    /// The frame (0-based) when ``image`` is a video file; nil for an image file.
    public var frame: Int?
    /// Normal or anomalous.
    public var label: Label
    /// The defect class ("good" for normal images), for per-class metrics.
    public var category: String
    /// The ground-truth mask, if the dataset has one for this image. Normal images have none:
    /// their mask is empty.
    public var mask: MaskSource?

    public init(image: URL, frame: Int? = nil, label: Label, category: String, mask: MaskSource? = nil) {
        (self.image, self.frame, self.label, self.category, self.mask) = (image, frame, label, category, mask)
    }

    /// The file name, used to pair outputs with inputs; for a video frame the video's name and
    /// the frame, e.g. `01.avi#12`.
    public var name: String { frame.map { "\(image.lastPathComponent)#\($0)" } ?? image.lastPathComponent }
}
