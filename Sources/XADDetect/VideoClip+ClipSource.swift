import XADData
import XADTensor

/// A data set's clip is what video detectors are fitted on: its frames, in order, decoded on demand.
extension VideoClip: ClipSource {
    public var frames: any ImageSource { ClipFrames(clip: self) }
}

/// The frames of a ``VideoClip`` as an ``ImageSource``.
struct ClipFrames: ImageSource {
    let clip: VideoClip
    var count: Int { clip.count }
    func image(at index: Int) throws -> Tensor { try clip.tensor(at: index) }
}
