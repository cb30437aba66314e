import XADTensor

/// A variable of a MATLAB MAT v5 file: a numeric or logical array, a cell array, a struct array
/// or text.
public indirect enum MATValue: Sendable, Equatable {
    case array(MATArray)
    case cell(MATCell)
    case structure(MATStruct)
    case text(String)

    /// The numeric array, or nil for other kinds.
    public var array: MATArray? { if case .array(let value) = self { value } else { nil } }
    /// The cell array, or nil for other kinds.
    public var cell: MATCell? { if case .cell(let value) = self { value } else { nil } }
    /// The struct array, or nil for other kinds.
    public var structure: MATStruct? { if case .structure(let value) = self { value } else { nil } }
    /// The text, or nil for other kinds.
    public var text: String? { if case .text(let value) = self { value } else { nil } }
}

/// A MATLAB numeric or logical array. MATLAB stores elements column-major (first index fastest);
/// ``values`` keeps that order, ``tensor()`` gives the usual row-major layout.
public struct MATArray: Sendable, Equatable {
    /// The MATLAB class the array was saved as.
    public enum ElementClass: String, Sendable, Equatable {
        case double, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    }

    /// MATLAB's dimensions, at least two (a scalar is `[1, 1]`, a row vector `[1, n]`).
    public let shape: [Int]
    /// The class the array was saved as.
    public let elementClass: ElementClass
    /// Whether MATLAB marked the array logical (values 0 and 1).
    public let isLogical: Bool
    /// The elements in column-major order, converted to `Float` as stored (like `NPYFile`:
    /// integers above 2^24 and doubles are rounded to the nearest `Float`).
    public let values: [Float]

    public init(shape: [Int], elementClass: ElementClass, isLogical: Bool = false, values: [Float]) {
        (self.shape, self.elementClass, self.isLogical, self.values) = (shape, elementClass, isLogical, values)
    }

    /// The element at MATLAB's 0-based `indices` (one per dimension), or nil outside the array.
    public subscript(indices: Int...) -> Float? {
        guard indices.count == shape.count else { return nil }
        var offset = 0, stride = 1
        for (index, size) in zip(indices, shape) {
            guard (0..<size).contains(index) else { return nil }
            offset += index * stride
            stride *= size
        }
        return values[offset]
    }

    /// The array as a row-major tensor of shape ``shape``: `tensor[i, j]` is MATLAB's `A(i+1, j+1)`.
    public func tensor() -> Tensor {
        let count = values.count
        guard count > 0 else { return Tensor(shape: shape, repeating: 0) }
        var rowMajorStrides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { rowMajorStrides[axis] = rowMajorStrides[axis + 1] * shape[axis + 1] }
        return Tensor(shape: shape) { out in
            // Walk the column-major elements, keeping their index and its row-major offset.
            var index = [Int](repeating: 0, count: shape.count)
            var target = 0
            for value in values {
                out[target] = value
                for axis in 0..<shape.count {
                    index[axis] += 1
                    target += rowMajorStrides[axis]
                    if index[axis] < shape[axis] { break }
                    target -= rowMajorStrides[axis] * shape[axis]
                    index[axis] = 0
                }
            }
        }
    }
}

/// A MATLAB cell array: any values, column-major.
public struct MATCell: Sendable, Equatable {
    /// MATLAB's dimensions.
    public let shape: [Int]
    /// The cells in column-major order (for a 1 x n or n x 1 cell simply in order).
    public let elements: [MATValue]

    public init(shape: [Int], elements: [MATValue]) { (self.shape, self.elements) = (shape, elements) }
}

/// A MATLAB struct array: for each element (column-major), a value per field.
public struct MATStruct: Sendable, Equatable {
    /// MATLAB's dimensions.
    public let shape: [Int]
    /// The field names in file order.
    public let fieldNames: [String]
    /// Each element's fields by name.
    public let elements: [[String: MATValue]]

    public init(shape: [Int], fieldNames: [String], elements: [[String: MATValue]]) {
        (self.shape, self.fieldNames, self.elements) = (shape, fieldNames, elements)
    }
}
