import XADTensor

/// The element type a weight file stores a tensor in. Raw values are the safetensors names.
///
/// Every type is read into a Float32 `Tensor`; the stored type is kept beside it in
/// ``WeightEntry`` so that `xad weights inspect` can show it and integer buffers such as
/// `num_batches_tracked` are recognisable.
public enum WeightDType: String, Sendable, CaseIterable, Codable {
    case float32 = "F32", float16 = "F16", bfloat16 = "BF16", float64 = "F64"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// The dtype of a PyTorch storage class such as `FloatStorage` (module `torch`).
    init?(torchStorage name: String) {
        guard let type = Self.torchStorageTypes[name] else { return nil }
        self = type
    }

    /// The PyTorch storage classes a checkpoint may name.
    static var torchStorageNames: [String] { torchStorageTypes.keys.sorted() }

    private static let torchStorageTypes: [String: WeightDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "DoubleStorage": .float64, "LongStorage": .int64, "IntStorage": .int32,
        "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool,
    ]
}

/// Turns stored little-endian elements into Float32 tensors: the one place where weight readers
/// touch raw memory. Callers validate sizes and ranges first (``requiredElements(offset:shape:strides:)``).
package enum WeightDecoding {
    /// The number of storage elements a strided tensor reaches: its largest element index plus
    /// one (0 for an empty tensor), or `nil` when the layout is negative or overflows `Int`.
    package static func requiredElements(offset: Int, shape: [Int], strides: [Int]) -> Int? {
        guard offset >= 0, shape.count == strides.count,
              shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else { return nil }
        guard elementCount(shape) != nil else { return nil }
        if shape.contains(0) { return 0 }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
            guard !overflow else { return nil }
            let (sum, overflowed) = last.addingReportingOverflow(step)
            guard !overflowed else { return nil }
            last = sum
        }
        return last.addingReportingOverflow(1).overflow ? nil : last + 1
    }

    /// The product of a shape's sizes, or `nil` when it is negative or overflows `Int`.
    package static func elementCount(_ shape: [Int]) -> Int? { ReadingLimits.product(shape) }

    /// A Float32 tensor of `shape` whose element at index `i` is `storage[offset + Σ i[k] * strides[k]]`,
    /// converted from `dtype`. `storage` must hold ``requiredElements(offset:shape:strides:)``
    /// elements. Contiguous, 4-byte-aligned Float32 data is borrowed, not copied: `owner` keeps
    /// it alive (a memory-mapped file).
    package static func tensor(from storage: UnsafeRawBufferPointer, dtype: WeightDType, offset: Int,
                               shape: [Int], strides: [Int], owner: AnyObject) -> Tensor {
        let count = shape.reduce(1, *)
        guard count > 0, let base = storage.baseAddress else { return Tensor(shape: shape, repeating: 0) }
        let first = base + offset * dtype.byteCount
        let alignedFloats = dtype == .float32 && Int(bitPattern: first) % MemoryLayout<Float>.alignment == 0
            ? UnsafeMutableRawPointer(mutating: first).assumingMemoryBound(to: Float.self) : nil
        if isRowMajor(shape: shape, strides: strides) {
            if let alignedFloats {
                return Tensor(shape: shape, storage: TensorStorage(borrowing: alignedFloats, count: count, owner: owner))
            }
            return Tensor(shape: shape) { out in convert(first, dtype: dtype, count: count, into: out.baseAddress!) }
        }
        if let alignedFloats {
            return Tensor(shape: shape) { out in
                ElementwiseCopy.gather(from: alignedFloats, sourceStrides: strides, into: out.baseAddress!, shape: shape)
            }
        }
        // Strided and not Float32 in place: convert the span the tensor reaches, then gather it.
        let span = (requiredElements(offset: 0, shape: shape, strides: strides) ?? 0)
        let converted = UnsafeMutablePointer<Float>.allocate(capacity: span)
        defer { converted.deallocate() }
        convert(first, dtype: dtype, count: span, into: converted)
        return Tensor(shape: shape) { out in
            ElementwiseCopy.gather(from: converted, sourceStrides: strides, into: out.baseAddress!, shape: shape)
        }
    }

    /// True when `strides` are the row-major strides of `shape` (sizes of 1 may have any stride).
    static func isRowMajor(shape: [Int], strides: [Int]) -> Bool {
        let expected = ElementwiseCopy.rowMajorStrides(shape)
        return zip(shape.indices, zip(strides, expected)).allSatisfy { axis, pair in
            shape[axis] == 1 || pair.0 == pair.1
        }
    }

    /// Converts `count` little-endian elements of `dtype` at `source` (any alignment) to Float32.
    static func convert(_ source: UnsafeRawPointer, dtype: WeightDType, count: Int,
                        into destination: UnsafeMutablePointer<Float>) {
        func each<T>(_ type: T.Type, _ value: (T) -> Float) {
            for i in 0..<count {
                destination[i] = value(source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
            }
        }
        switch dtype {
        case .float32: each(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
        case .float64: each(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
        case .float16: each(UInt16.self) { float(halfBits: UInt16(littleEndian: $0)) }
        case .bfloat16: each(UInt16.self) { Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16) }
        case .int64: each(Int64.self) { Float(Int64(littleEndian: $0)) }
        case .int32: each(Int32.self) { Float(Int32(littleEndian: $0)) }
        case .int16: each(Int16.self) { Float(Int16(littleEndian: $0)) }
        case .int8: each(Int8.self) { Float($0) }
        case .uint8: each(UInt8.self) { Float($0) }
        case .bool: each(UInt8.self) { $0 == 0 ? 0 : 1 }
        }
    }

    /// IEEE half precision to single, exactly (bias 15 -> 127; subnormal halves become normal floats).
    static func float(halfBits bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        switch exponent {
        case 0: return sign * Float(mantissa) * 0x1p-24
        case 0x1f: return sign * (mantissa == 0 ? Float.infinity : Float.nan)
        default: return sign * Float(bitPattern: (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
