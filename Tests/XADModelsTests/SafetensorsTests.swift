import Foundation
import Testing
import XADTensor
import XADTestSupport
import XADModels

/// Files written by the `safetensors` Python package (Tools/reference/gen_weights.py) and by
/// ``Safetensors/write(_:metadata:to:)``. Stored values convert to Float32 exactly, so
/// comparisons are exact.
@Suite("safetensors")
struct SafetensorsTests {
    static func fixture(_ name: String) -> URL {
        Fixture.directory.appendingPathComponent("weights/\(name)")
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func readsEveryDTypeWrittenByThePythonPackage() throws {
        let weights = try Safetensors.read(Self.fixture("small.safetensors"))
        let expected = try Fixture("weights/small_safetensors_expected.json")
        let names = expected["names"]?.array?.compactMap(\.string) ?? []
        #expect(names.count == 18)
        #expect(Set(weights.names) == Set(names))
        for name in names {
            let entry = try #require(weights.entry(name))
            #expect(entry.storedType.rawValue == expected["dtype:\(name)"]?.string, "\(name)")
            let reference = try expected.tensor(name)
            #expect(entry.shape == reference.shape, "\(name)")
            #expect(entry.tensor.scalars == reference.scalars, "\(name)")  // tolerance: exact
        }
        #expect(weights.metadata == ["source": "gen_weights.py"])
        // Entries come in the order of their data in the file.
        #expect(weights.names.first == "1.num_batches_tracked")
    }

    @Test func alignedFloat32IsBorrowedAndUnalignedIsCopied() throws {
        let weights = try Safetensors.read(Self.fixture("small.safetensors"))
        #expect(weights["0.weight"]?.storage.owner is MappedFile)
        #expect(weights["half"]?.storage.owner == nil)
        let unaligned = try Safetensors.read(Self.fixture("unaligned.safetensors"))
        #expect(unaligned.names == ["pad", "odd"])
        #expect(unaligned["odd"]?.scalars == [1.5, -2.25] as [Float])
        #expect(unaligned["odd"]?.storage.owner == nil)
        #expect(unaligned["pad"]?.scalars == [9] as [Float])
    }

    @Test func writeThenReadRoundTripsWithAlignedData() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try NamedWeights([
            WeightEntry(name: "conv.weight", tensor: Tensor(shape: [2, 1, 1, 3], scalars: [1, -2, 3.5, 4, 5e-8, -6e20])),
            WeightEntry(name: "odd \"name\"/é", tensor: Tensor(shape: [3], scalars: [7, 8, 9])),
            WeightEntry(name: "scalar", tensor: Tensor(0.25)),
            WeightEntry(name: "empty", tensor: Tensor.zeros([0, 4])),
        ])
        let url = folder.appendingPathComponent("model.safetensors")
        try Safetensors.write(original, metadata: ["format": "pt", "version": "1"], to: url)
        let bytes = try [UInt8](Data(contentsOf: url))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 4 * (6 + 3 + 1))
        let again = try Safetensors.read(url)
        #expect(again.names == original.names)
        #expect(again.metadata == ["format": "pt", "version": "1"])
        for (a, b) in zip(again, original) {
            #expect(a.shape == b.shape && a.tensor.scalars == b.tensor.scalars && a.storedType == .float32, "\(a.name)")
        }
        // Only the finished file is left: the temporary one was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    }

    @Test func writeIntoMissingFolderFailsAndLeavesNothing() throws {
        let url = URL(fileURLWithPath: "/nonexistent-xad-folder/model.safetensors")
        let weights = try NamedWeights([WeightEntry(name: "a", tensor: Tensor(1))])
        let error = #expect(throws: WeightError.self) { try Safetensors.write(weights, to: url) }
        #expect(error?.kind == .writeFailed)
        #expect(error?.file == url.path)
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func brokenFilesThrowNamingTheFileAndTheProblem() {
        func error(_ name: String) -> WeightError? {
            let url = Self.fixture(name)
            let error = #expect(throws: WeightError.self) { try NamedWeights(contentsOf: url) }
            #expect(error?.description.hasPrefix(url.path + ": ") == true)
            return error
        }
        let truncated = error("truncated.safetensors")
        #expect(truncated?.kind == .truncated)
        #expect(truncated?.message.contains("but the data section has only") == true)
        #expect(error("huge_header.safetensors")?.message 
                == "the header claims 1099511627776 bytes (the limit maxHeaderBytes=100000000; raise it with XAD_LIMITS=maxHeaderBytes=N or xad --limits)")
        #expect(error("empty.pt")?.kind == .truncated)
    }

    @Test func inconsistentHeadersAreMalformed() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func read(header: String, data: [UInt8]) -> WeightError? {
            let url = folder.appendingPathComponent("bad.safetensors")
            var length = UInt64(header.utf8.count).littleEndian
            let bytes = Data(bytes: &length, count: 8) + Data(header.utf8) + Data(data)
            #expect(throws: Never.self) { try bytes.write(to: url) }
            return #expect(throws: WeightError.self) { try Safetensors.read(url) }
        }
        let sizeMismatch = read(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))
        #expect(sizeMismatch?.message == "tensor 'w': data_offsets [0, 8] do not hold 3 F32 elements of shape [3]")
        let dtype = read(header: #"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, data: [0])
        #expect(dtype?.kind == .unsupported)
        #expect(read(header: "[1, 2]", data: [])?.message == "the header is not a JSON object")
        let negative = read(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, data: [])
        #expect(negative?.message == "tensor 'w': the shape [-1] is invalid")
    }
}
