/// Decompresses zlib streams (RFC 1950 around RFC 1951 deflate), as MAT v5 files store their
/// `miCOMPRESSED` elements. Pure Swift and bounds-checked: damaged input throws
/// ``InflateError`` instead of trapping, and output beyond `limit` bytes is refused (a small file
/// cannot expand without bound).
///
/// Huffman codes are decoded canonically one bit at a time, after Mark Adler's `puff.c`: slower
/// than zlib's table decoder but short and obviously right; label files are small.
enum Inflate {
    /// The decompressed bytes of the zlib stream `input`; the Adler-32 checksum is verified.
    static func zlib(_ input: ArraySlice<UInt8>, limit: Int) throws(InflateError) -> [UInt8] {
        var bits = BitReader(input)
        let cmf = try bits.byte(), flags = try bits.byte()
        guard cmf & 0x0F == 8, (Int(cmf) << 8 | Int(flags)) % 31 == 0 else { throw InflateError("not a zlib stream (bad header)") }
        guard flags & 0x20 == 0 else { throw InflateError("zlib stream needs a preset dictionary") }
        let output = try deflate(&bits, limit: limit)
        bits.alignToByte()
        var stored: UInt32 = 0
        for _ in 0..<4 { stored = stored << 8 | UInt32(try bits.byte()) }
        guard stored == adler32(output) else { throw InflateError("zlib checksum mismatch (data damaged)") }
        return output
    }

    /// The decompressed bytes of a raw deflate stream.
    static func deflate(_ bits: inout BitReader, limit: Int) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        var last = false
        while !last {
            last = try bits.bits(1) == 1
            switch try bits.bits(2) {
            case 0: try stored(&bits, into: &output, limit: limit)
            case 1: try codes(&bits, into: &output, limit: limit, lengths: fixedLengths, distances: fixedDistances)
            case 2:
                let (lengths, distances) = try dynamicTables(&bits)
                try codes(&bits, into: &output, limit: limit, lengths: lengths, distances: distances)
            default: throw InflateError("invalid deflate block type 3")
            }
        }
        return output
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let end = min(index + 5552, bytes.count)   // the most bytes before the sums can overflow
            for byte in bytes[index..<end] { a &+= UInt32(byte); b &+= a }
            a %= 65521; b %= 65521
            index = end
        }
        return b << 16 | a
    }

    private static func stored(_ bits: inout BitReader, into output: inout [UInt8], limit: Int) throws(InflateError) {
        bits.alignToByte()
        let length = Int(try bits.byte()) | Int(try bits.byte()) << 8
        let complement = Int(try bits.byte()) | Int(try bits.byte()) << 8
        guard length == ~complement & 0xFFFF else { throw InflateError("stored block length check failed") }
        guard output.count + length <= limit else { throw InflateError("output exceeds \(limit) bytes") }
        output.append(contentsOf: try bits.bytes(length))
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                       4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static func codes(_ bits: inout BitReader, into output: inout [UInt8], limit: Int,
                              lengths: Huffman, distances: Huffman) throws(InflateError) {
        while true {
            let symbol = try lengths.decode(&bits)
            if symbol < 256 {
                guard output.count < limit else { throw InflateError("output exceeds \(limit) bytes") }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthCode = symbol - 257
            guard lengthCode < 29 else { throw InflateError("invalid length code \(symbol)") }
            let length = lengthBase[lengthCode] + Int(try bits.bits(lengthExtra[lengthCode]))
            let distanceCode = try distances.decode(&bits)
            guard distanceCode < 30 else { throw InflateError("invalid distance code \(distanceCode)") }
            let distance = distanceBase[distanceCode] + Int(try bits.bits(distanceExtra[distanceCode]))
            guard distance <= output.count else { throw InflateError("distance \(distance) reaches before the start of the output") }
            guard output.count + length <= limit else { throw InflateError("output exceeds \(limit) bytes") }
            // Byte by byte: the copy may overlap what it writes, and appending a slice of
            // `output` to itself would copy the whole array (the slice keeps its buffer alive).
            let start = output.count - distance
            for offset in 0..<length { output.append(output[start + offset]) }
        }
    }

    private static let fixedLengths = Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })!
    private static let fixedDistances = Huffman(lengths: [Int](repeating: 5, count: 30))!

    private static func dynamicTables(_ bits: inout BitReader) throws(InflateError) -> (Huffman, Huffman) {
        let literalCount = Int(try bits.bits(5)) + 257
        let distanceCount = Int(try bits.bits(5)) + 1
        let codeLengthCount = Int(try bits.bits(4)) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw InflateError("too many length or distance codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[order[index]] = Int(try bits.bits(3)) }
        guard let codeLengthCode = Huffman(lengths: codeLengths) else { throw InflateError("invalid code-length code") }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try codeLengthCode.decode(&bits)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw InflateError("repeat with no previous length") }
                lengths += repeatElement(previous, count: 3 + Int(try bits.bits(2)))
            case 17: lengths += repeatElement(0, count: 3 + Int(try bits.bits(3)))
            default: lengths += repeatElement(0, count: 11 + Int(try bits.bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw InflateError("code lengths overrun the table") }
        guard lengths[256] > 0,
              let literal = Huffman(lengths: Array(lengths[0..<literalCount])),
              let distance = Huffman(lengths: Array(lengths[literalCount...])) else {
            throw InflateError("invalid literal/length or distance code")
        }
        return (literal, distance)
    }
}

/// A canonical Huffman code: how many codes of each length, and the symbols in code order.
struct Huffman: Sendable {
    private var counts = [Int](repeating: 0, count: 16)
    private var symbols: [Int]

    /// Nil when the lengths over-subscribe the code (incomplete codes are allowed, as in zlib).
    init?(lengths: [Int]) {
        for length in lengths { counts[length] += 1 }
        var left = 1
        for length in 1..<16 {
            left = left * 2 - counts[length]
            if left < 0 { return nil }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
    }

    func decode(_ bits: inout BitReader) throws(InflateError) -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= Int(try bits.bits(1))
            let count = counts[length]
            if code - first < count { return symbols[index + code - first] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw InflateError("invalid Huffman code")
    }
}

/// Reads a deflate stream's bits, least significant first.
struct BitReader {
    private let input: ArraySlice<UInt8>
    private var position: Int
    private var buffer: UInt64 = 0
    private var count = 0

    init(_ input: ArraySlice<UInt8>) {
        self.input = input
        position = input.startIndex
    }

    mutating func bits(_ needed: Int) throws(InflateError) -> UInt64 {
        while count < needed {
            guard position < input.endIndex else { throw InflateError("the compressed data ends early") }
            buffer |= UInt64(input[position]) << UInt64(count)
            position += 1
            count += 8
        }
        let value = buffer & ((1 << UInt64(needed)) - 1)
        buffer >>= UInt64(needed)
        count -= needed
        return value
    }

    mutating func alignToByte() {
        buffer >>= UInt64(count % 8)
        count -= count % 8
    }

    mutating func byte() throws(InflateError) -> UInt8 { UInt8(try bits(8)) }

    /// `length` bytes; call after ``alignToByte()``.
    mutating func bytes(_ length: Int) throws(InflateError) -> ArraySlice<UInt8> {
        var result: [UInt8] = []
        while count > 0, result.count < length { result.append(try byte()) }
        let rest = length - result.count
        guard input.endIndex - position >= rest else { throw InflateError("a stored block ends early") }
        result += input[position..<(position + rest)]
        position += rest
        return result[...]
    }
}

/// Why a zlib stream could not be decompressed.
struct InflateError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
