import XADData
import XADTensor

/// The images of dataset samples as an ``ImageSource``, decoded on demand (alpha dropped).
public struct DatasetImages: ImageSource {
    public let samples: [SampleReference]

    public init(_ samples: [SampleReference]) { self.samples = samples }

    public var count: Int { samples.count }

    public func image(at index: Int) throws -> Tensor { try samples[index].load().image }
}
