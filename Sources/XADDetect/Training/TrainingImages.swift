import XADImage
import XADTensor

extension ImageSource {
    /// Every image prepared by `preprocessing`, stacked as `[N, C, H, W]`: the tensor a
    /// ``TrainingLoop`` shuffles into batches each epoch (decoding once, not every epoch).
    /// - Throws: ``DetectorError/noTrainingImages`` for an empty source; the decoder's or
    ///   preprocessing's error for an image that cannot be read or prepared.
    public func preparedTensor(_ preprocessing: Preprocessing, progress: FitProgress? = nil) throws -> Tensor {
        guard count > 0 else { throw DetectorError.noTrainingImages }
        var prepared: [Tensor] = []
        prepared.reserveCapacity(count)
        for index in 0..<count {
            prepared.append(try preprocessing(image(at: index)))
            progress?("preparing images", index + 1, count)
        }
        return try Tensor.concatenate(prepared, axis: 0)
    }
}
