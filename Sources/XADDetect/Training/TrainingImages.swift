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

extension Tensor {
    /// The rows `indices` of this tensor along its first axis, in that order (a batch).
    func gathering(rows indices: [Int]) -> Tensor {
        let rowSize = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [indices.count] + shape.dropFirst()) { out in
            let source = storage.base
            for (row, index) in indices.enumerated() {
                (out.baseAddress! + row * rowSize).update(from: source + index * rowSize, count: rowSize)
            }
        }
    }
}
