import XADTensor

/// Whole numbers that fitted models store as Float32 tensors (channel indices, patch grids, patch
/// locations), read back without trusting the file: anything that is not a whole number in range
/// makes the read fail instead of trapping in `Int(_:)`.
enum SavedIntegers {
    /// `values` as integers in `0..<limit`, or nil if any is not.
    static func decode(_ values: [Float], below limit: Int) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard value.isFinite, value >= 0, value < Float(limit), value.rounded() == value else { return nil }
            result.append(Int(value))
        }
        return result
    }

    /// The largest value a saved integer may take (Float32 holds whole numbers exactly up to 2^24).
    static let limit = 1 << 24
}

extension Size2 {
    /// The grid as a saved tensor `[height, width]`.
    var savedTensor: Tensor {
        Tensor(shape: [2]) { out in
            out[0] = Float(height)
            out[1] = Float(width)
        }
    }

    /// A grid read back from a saved model: nil unless two whole numbers of at least 1.
    init?(saved tensor: Tensor?) {
        guard let tensor, tensor.count == 2,
              let sides = SavedIntegers.decode(tensor.scalars, below: 65_536), sides.allSatisfy({ $0 >= 1 }) else { return nil }
        self.init(height: sides[0], width: sides[1])
    }
}
