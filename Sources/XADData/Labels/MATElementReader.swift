import XADTensor

/// Reads the data elements of a MAT v5 file (tag, then data padded to 8 bytes; small elements
/// packed into the tag) and builds the values of `miMATRIX` elements.
struct MATElementReader {
    private let bytes: ArraySlice<UInt8>
    private let bigEndian: Bool
    private let file: String
    /// Bytes that compressed elements may still expand to (shared with nested readers).
    private var budget: Int
    var position: Int

    init(_ bytes: ArraySlice<UInt8>, bigEndian: Bool, file: String, budget: Int) {
        (self.bytes, self.bigEndian, self.file, self.budget) = (bytes, bigEndian, file, budget)
        position = bytes.startIndex
    }

    private enum DataType: UInt32 {
        case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7, double = 9
        case int64 = 12, uint64 = 13, matrix = 14, compressed = 15, utf8 = 16, utf16 = 17, utf32 = 18

        var size: Int {
            switch self {
            case .int8, .uint8, .utf8, .matrix, .compressed: 1
            case .int16, .uint16, .utf16: 2
            case .int32, .uint32, .single, .utf32: 4
            case .double, .int64, .uint64: 8
            }
        }
    }

    private struct Element {
        let type: DataType
        let data: ArraySlice<UInt8>
    }

    private func fail(_ problem: String, variable: String? = nil) -> LabelFileError {
        LabelFileError(file, variable.map { "variable '\($0)': \(problem)" } ?? problem)
    }

    /// The next top-level variable; nil for an element that is not one (skipped).
    mutating func variable() throws -> (String, MATValue)? {
        let element = try next()
        switch element.type {
        case .matrix:
            return try matrix(element.data)
        case .compressed:
            let limits = ReadingLimits.current
            guard budget > 0 else {
                throw fail("compressed data expands beyond \(limits.maxDecompressedBytes) bytes \(limits.advice("maxDecompressedBytes"))")
            }
            // No deflate stream expands more than 1032-fold: a stream that would is a bomb.
            let ratioBound = ReadingLimits.product([element.data.count, limits.maxCompressionRatio]) ?? budget
            let expanded: [UInt8]
            do {
                expanded = try Inflate.zlib(element.data, limit: min(budget, ratioBound))
            } catch {
                throw fail("compressed element at offset \(element.data.startIndex - 8): \(error.message)")
            }
            budget -= expanded.count
            var inner = MATElementReader(expanded[...], bigEndian: bigEndian, file: file, budget: budget)
            let variable = try inner.variable()
            budget = inner.budget
            return variable
        default:
            return nil
        }
    }

    /// Reads one element's tag and data and moves past its padding.
    private mutating func next() throws -> Element {
        let start = position
        let word = try uint32(at: position)
        if word >> 16 != 0 {   // small element: size in the upper half, data in the tag's second word
            let size = Int(word >> 16)
            guard size <= 4, let type = DataType(rawValue: word & 0xFFFF) else {
                throw fail("bad small element tag at offset \(start)")
            }
            guard bytes.endIndex - position >= 8 else { throw fail("cut short at offset \(start)") }
            position += 8
            return Element(type: type, data: bytes[(start + 4)..<(start + 4 + size)])
        }
        guard let type = DataType(rawValue: word) else { throw fail("unknown data type \(word) at offset \(start)") }
        let size = Int(try uint32(at: position + 4))
        let dataStart = position + 8
        guard size <= bytes.endIndex - dataStart else {
            throw fail("element at offset \(start) claims \(size) bytes but the data ends after \(bytes.endIndex - dataStart)")
        }
        let padded = type == .compressed ? size : (size + 7) / 8 * 8
        position = min(bytes.endIndex, dataStart + padded)
        return Element(type: type, data: bytes[dataStart..<(dataStart + size)])
    }

    /// A `miMATRIX` element's name and value.
    private func matrix(_ data: ArraySlice<UInt8>, depth: Int = 1) throws -> (String, MATValue) {
        let limits = ReadingLimits.current
        // Cells hold matrices: bound the recursion before a hostile file overflows the stack.
        guard depth <= limits.maxNestingDepth else {
            throw fail("cells or structs nest more than \(limits.maxNestingDepth) deep \(limits.advice("maxNestingDepth"))")
        }
        var inner = MATElementReader(data, bigEndian: bigEndian, file: file, budget: budget)
        guard !data.isEmpty else { return ("", .array(MATArray(shape: [0, 0], elementClass: .double, values: []))) }
        let flags = try inner.integers(inner.next(), what: "array flags")
        guard let flagWord = flags.first else { throw fail("empty array flags") }
        let classCode = flagWord & 0xFF
        let isComplex = flagWord & 0x800 != 0, isLogical = flagWord & 0x200 != 0
        let shape = try inner.integers(inner.next(), what: "dimensions").map(Int.init)
        let nameElement = try inner.next()
        let name = String(decoding: nameElement.data, as: UTF8.self)
        guard shape.count >= 2, shape.allSatisfy({ $0 >= 0 }) else { throw fail("invalid dimensions \(shape)", variable: name) }
        let (count, overflow) = shape.reduce((1, false)) { partial, size in
            let product = partial.0.multipliedReportingOverflow(by: size)
            return (product.partialValue, partial.1 || product.overflow)
        }
        // Each cell or struct element is an element of at least 8 bytes; each number takes a Float.
        guard !overflow, count <= limits.maxArrayBytes / 4, classCode > 2 || count <= (data.endIndex - inner.position) / 8 else {
            throw fail("dimensions \(shape) are more than the file holds or an array may be \(limits.advice("maxArrayBytes"))",
                       variable: name)
        }
        guard !isComplex else { throw fail("complex arrays are not supported", variable: name) }
        switch classCode {
        case 1:
            var elements: [MATValue] = []
            for _ in 0..<count {
                let element = try inner.next()
                guard element.type == .matrix else { throw fail("a cell holds a non-matrix element", variable: name) }
                elements.append(try matrix(element.data, depth: depth + 1).1)
            }
            return (name, .cell(MATCell(shape: shape, elements: elements)))
        case 2:
            let nameLength = try inner.integers(inner.next(), what: "field name length").first.map(Int.init) ?? 0
            let namesData = try inner.next().data
            guard nameLength > 0, namesData.count % nameLength == 0 else { throw fail("bad struct field names", variable: name) }
            let fields = stride(from: namesData.startIndex, to: namesData.endIndex, by: nameLength).map { start in
                String(decoding: namesData[start..<(start + nameLength)].prefix { $0 != 0 }, as: UTF8.self)
            }
            var elements: [[String: MATValue]] = []
            for _ in 0..<count {
                var element: [String: MATValue] = [:]
                for field in fields {
                    let value = try inner.next()
                    guard value.type == .matrix else { throw fail("field '\(field)' is not a matrix element", variable: name) }
                    element[field] = try matrix(value.data, depth: depth + 1).1
                }
                elements.append(element)
            }
            return (name, .structure(MATStruct(shape: shape, fieldNames: fields, elements: elements)))
        case 4:
            let element = try inner.next()
            if element.type == .utf8 { return (name, .text(String(decoding: element.data, as: UTF8.self))) }
            let codes = try inner.numbers(element, count: count, variable: name)
            let scalars = codes.compactMap { UInt32(exactly: $0).flatMap(Unicode.Scalar.init) }
            return (name, .text(String(String.UnicodeScalarView(scalars))))
        case 6...15:
            let classes: [MATArray.ElementClass] = [.double, .single, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64]
            let values = try inner.numbers(inner.next(), count: count, variable: name)
            return (name, .array(MATArray(shape: shape, elementClass: classes[Int(classCode) - 6], isLogical: isLogical, values: values)))
        case 3: throw fail("object arrays are not supported", variable: name)
        case 5: throw fail("sparse arrays are not supported", variable: name)
        default: throw fail("array class \(classCode) is not supported", variable: name)
        }
    }

    /// The unsigned/signed 32-bit integers of a flags or dimensions element.
    private func integers(_ element: Element, what: String) throws -> [Int64] {
        guard element.type == .uint32 || element.type == .int32 else { throw fail("\(what) stored as \(element.type)") }
        return try numbers(element, count: element.data.count / 4, variable: nil).map { Int64($0) }
    }

    /// `count` numbers of any numeric type, converted to Float.
    private func numbers(_ element: Element, count: Int, variable: String?) throws -> [Float] {
        let type = element.type
        guard type != .matrix, type != .compressed else { throw fail("numeric data expected, found \(type)", variable: variable) }
        let (expected, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, element.data.count == expected else {
            throw fail("\(element.data.count) bytes of \(type) data for \(count) elements", variable: variable)
        }
        let data = element.data
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let offset = data.startIndex + index * type.size
            let raw = load(data, at: offset, size: type.size)
            values[index] = switch type {
            case .int8: Float(Int8(truncatingIfNeeded: raw))
            case .int16: Float(Int16(truncatingIfNeeded: raw))
            case .int32: Float(Int32(truncatingIfNeeded: raw))
            case .int64: Float(Int64(bitPattern: raw))
            case .single: Float(bitPattern: UInt32(truncatingIfNeeded: raw))
            case .double: Float(Double(bitPattern: raw))
            default: Float(raw)   // unsigned integers and character codes
            }
        }
        return values
    }

    /// An unsigned integer of `size` bytes in the file's byte order.
    private func load(_ data: ArraySlice<UInt8>, at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in 0..<size {
            let shift = UInt64(bigEndian ? (size - 1 - byte) * 8 : byte * 8)
            value |= UInt64(data[offset + byte]) << shift
        }
        return value
    }

    private func uint32(at offset: Int) throws -> UInt32 {
        guard offset >= bytes.startIndex, bytes.endIndex - offset >= 4 else { throw fail("cut short at offset \(offset)") }
        return UInt32(load(bytes, at: offset, size: 4))
    }
}
