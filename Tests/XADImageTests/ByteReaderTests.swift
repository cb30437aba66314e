import Testing
import XADImage

/// The one little-endian byte reader (BMP headers, weight files): values, cursor, and errors
/// that are the caller's own and name the file instead of trapping.
@Suite struct ByteReaderTests {
    struct ReadError: Error, Equatable {
        let problem: ByteReader.Problem
        let description: String
    }

    static let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0x68, 0x69, 0xC3]

    /// Runs `body` with a reader over `bytes` whose failures are `ReadError`s.
    func withReader<T>(_ body: (inout ByteReader) throws -> T) rethrows -> T {
        try Self.bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw, file: "x.bin", context: "the header") { problem, file, message in
                ReadError(problem: problem, description: "\(file): \(message)")
            }
            return try body(&reader)
        }
    }

    @Test func readsLittleEndianIntegersAtOffsetsAndAtTheCursor() throws {
        try withReader { (reader: inout ByteReader) throws in
            #expect(try reader.integer(UInt32.self, at: 0) == 0x0403_0201)
            #expect(try reader.integer(UInt16.self, at: 1) == 0x0302)
            #expect(try reader.integer(Int16.self, at: 4) == -1)
            #expect(reader.position == 0)   // reads at an offset leave the cursor alone
            #expect(try reader.integer(UInt16.self) == 0x0201)
            #expect(try reader.length(UInt8.self) == 3)
            #expect(reader.position == 3)
            #expect(Array(try reader.take(3)) == [0x04, 0xFF, 0xFF])
            #expect(try reader.string(2) == "hi")
            #expect(reader.remaining == 1)
        }
    }

    @Test func readsPastTheEndThrowTheCallersErrorNamingTheFile() throws {
        try withReader { (reader: inout ByteReader) throws in
            let atOffset = #expect(throws: ReadError.self) { try reader.integer(UInt32.self, at: 7) }
            #expect(atOffset == ReadError(problem: .cutShort,
                                          description: "x.bin: the header is cut short: 4 bytes needed at offset 7, 2 left"))
            let beyond = #expect(throws: ReadError.self) { try reader.bytes(at: 50, count: 1) }
            #expect(beyond?.description == "x.bin: the header is cut short: 1 bytes needed at offset 50, 0 left")
            #expect(throws: ReadError.self) { try reader.bytes(at: -1, count: 1) }
            #expect(throws: ReadError.self) { try reader.bytes(at: 0, count: -1) }
            #expect(throws: ReadError.self) { try reader.bytes(at: 1, count: Int.max) }
            reader.position = 4
            let length = #expect(throws: ReadError.self) { try reader.length(UInt16.self) }
            #expect(length?.description == "x.bin: the header announces 65535 bytes at offset 6, 3 left")
            #expect(reader.position == 6)
            let cut = #expect(throws: ReadError.self) { try reader.take(4) }
            #expect(cut?.description == "x.bin: the header is cut short: 4 bytes needed at offset 6, 3 left")
            #expect(reader.position == 6)   // a failed read does not move the cursor
            reader.position = 7
            let text = #expect(throws: ReadError.self) { try reader.string(2) }
            #expect(text == ReadError(problem: .notUTF8, description: "x.bin: the header has text that is not UTF-8 at offset 7"))
        }
    }
}
