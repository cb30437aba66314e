import Foundation
import Testing
import XADImage
import XADTensor
import XADTestSupport

/// The NPY reader and writer against files written by NumPy 2.4 (Tools/reference/gen_metrics.py).
@Suite("NPY files")
struct NPYFileTests {
    static let folder = Fixture.directory.appendingPathComponent("metrics/npy")

    // tolerance: exact; every stored value is representable in float32 (float64 and int64 ones too).
    @Test(arguments: ["f4", "f8", "u1", "b1", "i4", "i8", "scalar", "v2", "v3"])
    func readsWhatNumPyWrote(name: String) throws {
        let expected = try #require(try Fixture("metrics/npy/npy.json")[name])
        let tensor = try NPYFile.read(contentsOf: Self.folder.appendingPathComponent("\(name).npy"))
        guard case .object(let entry) = expected else { Issue.record("\(name) is not an object"); return }
        #expect(tensor.shape == entry["shape"]?.ints)
        #expect(tensor.scalars == entry["data"]?.doubles?.map { Float($0) })
    }

    @Test func writesTheBytesNumPyWrites() throws {
        let original = try NPYFile.read(contentsOf: Self.folder.appendingPathComponent("f4.npy"))
        let numpyBytes = try Data(contentsOf: Self.folder.appendingPathComponent("f4.npy"))
        #expect(NPYFile.encode(original) == numpyBytes)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xad-npy-\(UInt32.random(in: 0...UInt32.max)).npy")
        defer { try? FileManager.default.removeItem(at: url) }
        let vector = try Tensor(shape: [3], scalars: [1, -2, 0.5])
        try NPYFile.write(vector, to: url)
        let back = try NPYFile.read(contentsOf: url)
        #expect(back.shape == [3] && back.scalars == vector.scalars)
    }

    @Test func saysTheStoredElementType() throws {
        let expected: [String: NPYFile.ElementType] = ["f4": .float32, "f8": .float64, "u1": .uint8, "b1": .bool, "i4": .int32, "i8": .int64]
        for (name, type) in expected {
            #expect(try NPYFile.readArray(contentsOf: Self.folder.appendingPathComponent("\(name).npy")).elementType == type, "\(name)")
        }
    }

    /// uint8 arrays (masks of 0 and 255) are written byte for byte as NumPy writes them.
    @Test func writesUInt8AsNumPyDoes() throws {
        let numpyBytes = try Data(contentsOf: Self.folder.appendingPathComponent("u1.npy"))
        #expect(try NPYFile.encode([0, 7, 255], shape: [1, 3]) == numpyBytes)
        let back = try NPYFile.readArray(data: try NPYFile.encode([0, 7, 255], shape: [1, 3]), name: "mask")
        #expect(back.tensor.scalars == [0, 7, 255] && back.elementType == .uint8)
        #expect(throws: ImageError.self) { try NPYFile.encode([1, 2], shape: [3]) }
    }

    @Test func refusesWhatItCannotReadAndNamesTheFile() throws {
        func message(_ name: String) -> String? {
            let path = Self.folder.appendingPathComponent(name).path
            do { _ = try NPYFile.read(contentsOf: URL(fileURLWithPath: path)); return nil } catch let error as ImageError {
                #expect(error.source == path)
                return error.message
            } catch { return "\(error)" }
        }
        #expect(message("fortran.npy") == "the array is stored in Fortran order; save it in C order (np.ascontiguousarray)")
        #expect(message("big_endian.npy") == "dtype '>f4' is not supported (little-endian float32, float64, uint8, bool, int32 or int64)")
        #expect(message("truncated.npy") == "the data is truncated: 19 bytes for shape [2, 3] of <f4 (want 24)")
        #expect(message("npy.json") == "not a NumPy .npy file (no \\x93NUMPY magic)")
        #expect(message("missing.npy")?.hasPrefix("cannot read the file") == true)
    }
}
