import Foundation
import XADImage
import XADTensor

/// One clip of a video data set, not yet decoded: its frames (image files or one video file), the
/// label of every frame and, where the data set has them, every frame's pixel mask.
///
/// A clip decodes one frame at a time, so a detector can walk thousands of frames without holding
/// them. Frames of a video file come through `VideoFrameReader.shared`, which keeps the decoder
/// positioned: reading frames in order decodes each once, and re-reading the last few is free.
/// Every decoded frame is checked against ``frameSize`` (the first frame's size, read when the
/// data set was loaded): a clip with mixed sizes fails on the first odd frame, naming it.
///
/// XADData sits below XADDetect, so the clip does not conform to XADDetect's `ClipSource` itself;
/// an adapter there wraps ``name``, ``count`` and ``tensor(at:)``.
///
/// ```swift
/// let ped2 = try UCSDPed().loadVideo(URL(fileURLWithPath: "ucsd_ped2"))
/// let clip = ped2.test[0]                       // "01", 180 frames
/// let frame = try clip.tensor(at: 60)           // [1, 3, 240, 360] in 0...1
/// print(clip.labels[60], clip.masks[60] != nil) // anomalous true
/// ```
public struct VideoClip: Sendable, Hashable, Codable {
    /// Where a clip's frames are stored.
    public enum Storage: Sendable, Hashable, Codable {
        /// One image file per frame, in playing order.
        case frameFiles([URL])
        /// One video file of `frameCount` frames, decoded through FFmpeg as RGB.
        case videoFile(URL, frameCount: Int)
    }

    /// The clip's name as on disk, e.g. `"01"` or `"Test001"`, for messages and reports.
    public var name: String
    /// The frame files or the video file.
    public var storage: Storage
    /// The label of each frame (training clips: all normal).
    public var labels: [Label]
    /// The pixel mask of each frame, nil where the data set has none (then only frame-level
    /// evaluation applies).
    public var masks: [MaskSource?]
    /// The size every frame must have: the first frame's.
    public var frameSize: Size2

    /// A clip; `labels` and `masks` must have one entry per frame (a programmer error otherwise).
    public init(name: String, storage: Storage, labels: [Label], masks: [MaskSource?], frameSize: Size2) {
        (self.name, self.storage, self.labels, self.masks, self.frameSize) = (name, storage, labels, masks, frameSize)
        precondition(labels.count == count && masks.count == count, "VideoClip: one label and one mask entry per frame")
    }

    /// The number of frames.
    public var count: Int {
        switch storage {
        case .frameFiles(let urls): urls.count
        case .videoFile(_, let frameCount): frameCount
        }
    }

    /// The number of anomalous frames.
    public var anomalousCount: Int { labels.count { $0 == .anomalous } }

    /// Whether every frame has a pixel mask.
    public var hasMasks: Bool { !masks.isEmpty && masks.allSatisfy { $0 != nil } }

    /// Decodes frame `index` (0-based).
    /// - Throws: ``VideoDataError`` naming the clip and frame for an index outside the clip, a
    ///   frame that cannot be decoded (or a video that ends before it), or a frame whose size
    ///   differs from ``frameSize``.
    public func frame(at index: Int) throws -> Image {
        guard (0..<count).contains(index) else {
            throw VideoDataError.frameOutOfRange(clip: name, index: index, count: count)
        }
        let file = self.file(of: index)
        let image: Image
        do {
            switch storage {
            case .frameFiles(let urls): image = try Image(contentsOf: urls[index])
            case .videoFile(let url, _): image = try VideoFrameReader.shared.frame(index, of: url)
            }
        } catch let error as ImageError {
            throw VideoDataError.unreadableFrame(clip: name, frame: index, file: file, problem: error.message)
        }
        let size = Size2(height: image.height, width: image.width)
        guard size == frameSize else {
            throw VideoDataError.frameSizeMismatch(clip: name, frame: index, file: file, size: size, expected: frameSize)
        }
        return image
    }

    /// Frame `index` as `[1, C, H, W]` in 0...1 (alpha dropped), the form detectors take; its
    /// mask is not read.
    public func tensor(at index: Int) throws -> Tensor {
        let image = try frame(at: index)
        let tensor = image.toTensor()
        return image.hasAlpha ? try tensor.sliced(axis: 1, range: 0..<(image.channels - 1)) : tensor
    }

    /// Frame `index` as a data set sample: its file, label and mask; category "good" for normal
    /// frames and "anomalous" for anomalous ones.
    public func sample(at index: Int) throws -> SampleReference {
        guard (0..<count).contains(index) else {
            throw VideoDataError.frameOutOfRange(clip: name, index: index, count: count)
        }
        return reference(at: index)
    }

    /// Every frame as a sample, in order.
    public var samples: [SampleReference] { (0..<count).map(reference(at:)) }

    private func reference(at index: Int) -> SampleReference {
        let label = labels[index]
        let frame: Int? = if case .videoFile = storage { index } else { nil }
        return SampleReference(image: file(of: index), frame: frame, label: label,
                               category: label == .normal ? "good" : "anomalous", mask: masks[index])
    }

    /// The file frame `index` is decoded from: its image file, or the clip's video file (a
    /// programmer error when `index` is not a frame of the clip).
    public func file(of index: Int) -> URL {
        switch storage {
        case .frameFiles(let urls): urls[index]
        case .videoFile(let url, _): url
        }
    }

    /// Decodes every frame once, in order, checking that each is readable and of ``frameSize``.
    /// Slow (it decodes the whole clip); loading checks numbering, lengths and pairing only.
    public func validateFrames() throws {
        for index in 0..<count { _ = try frame(at: index) }
    }
}
