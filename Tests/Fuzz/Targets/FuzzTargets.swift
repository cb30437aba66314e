import Foundation
import XADBench
import XADData
import XADDetect
import XADImage
import XADMetrics
import XADModels
import XADTensor

/// One fuzz target per reader of untrusted files: each feeds the bytes it is given to the reader
/// as XADKit's users do and ignores the errors the reader throws. A crash, a trap, a hang or a
/// sanitizer report is a finding; a thrown error is the reader doing its job.
///
/// libFuzzer runs them through `XADFuzz` (`make fuzz`), the normal test build replays the seed
/// corpora and every regression input through them (`FuzzReplayTests`):
///
/// ```swift
/// try FuzzTargets.named("npy").run(Array(data))   // throws only when the target cannot run at all
/// ```
public struct FuzzTarget: Sendable {
    /// The target's name, also its folder under `Tests/Fuzz/corpus` and `Tests/Fuzz/regressions`.
    public let name: String
    /// The scratch file the input is written to, for readers that take a file; `nil` for readers
    /// of bytes or text, which are spared the write (a system call per input).
    let file: URL?
    /// Runs the reader on the input (already in `file` when the target has one).
    let read: @Sendable (_ bytes: [UInt8]) throws -> Void

    /// A target whose reader takes the input's bytes.
    init(name: String, bytes read: @escaping @Sendable (_ bytes: [UInt8]) throws -> Void) {
        (self.name, self.file, self.read) = (name, nil, read)
    }

    /// A target whose reader takes a file: each input is written to a scratch file first.
    init(name: String, file read: @escaping @Sendable (_ file: URL) throws -> Void) {
        let file = FuzzTargets.scratchFile(for: name)
        (self.name, self.file) = (name, file)
        self.read = { _ in try read(file) }
    }

    /// Feeds `bytes` to the reader; the reader's own errors are swallowed.
    public func run(_ bytes: [UInt8]) {
        if let file {
            do {
                try Data(bytes).write(to: file)
            } catch {
                fatalError("fuzz target \(name): cannot write the scratch file \(file.path) (\(error))")
            }
        }
        ReadingLimits.using(FuzzTargets.limits) { _ = try? read(bytes) }
    }
}

/// The fuzz targets, by name.
public enum FuzzTargets {
    /// The limits the targets read under: low enough that libFuzzer's 2 GB memory limit is not
    /// hit by a header the real limits accept, so that the refusal paths are what gets fuzzed.
    /// Images stop at 512 x 512: a mutated header that declares a big image then takes the refusal
    /// path instead of decoding megapixels of garbage, which made `jpeg` the slowest target.
    public static let limits: ReadingLimits = {
        var limits = ReadingLimits.current
        limits.maxPixels = 1 << 18
        limits.maxVideoPixels = 1 << 26
        limits.maxArrayBytes = 1 << 26
        limits.maxDecompressedBytes = 1 << 26
        limits.maxPickleOpcodes = 1 << 20
        return limits
    }()

    /// Every target, in the order `make fuzz` runs them.
    public static let all: [FuzzTarget] = [
        image("png"), image("jpeg"), image("tiff"), image("bmp"),
        FuzzTarget(name: "npy", bytes: { _ = try NPYFile.readArray(data: Data($0), name: "fuzz.npy") }),
        FuzzTarget(name: "pickle", bytes: { _ = try Unpickler.load($0, file: "fuzz.pkl") }),
        FuzzTarget(name: "torch-zip", file: { _ = try TorchCheckpoint.read($0) }),
        FuzzTarget(name: "torch-legacy", file: { _ = try TorchCheckpoint.read($0) }),
        FuzzTarget(name: "safetensors", file: { _ = try Safetensors.read($0) }),
        FuzzTarget(name: "zip", file: { file in
            let archive = try ZipArchive(MappedFile(path: file.path))
            for entry in archive.entries { _ = try? archive.data(of: entry) }
        }),
        FuzzTarget(name: "saved-model", file: { _ = try SavedModel.load($0) }),
        FuzzTarget(name: "scores-csv", bytes: {
            _ = try ScoreTable(csv: String(decoding: $0, as: UTF8.self), source: "fuzz.csv")
        }),
        FuzzTarget(name: "deeppcb-boxes", file: { _ = try DeepPCB.boxes(in: $0) }),
        FuzzTarget(name: "ucsd-m", bytes: { bytes in
            let script = try UCSDLabelScript(text: String(decoding: bytes, as: UTF8.self), url: URL(fileURLWithPath: "fuzz.m"))
            for clip in script.anomalousFrames.indices { _ = try? script.flags(clip: clip, name: "Test\(clip)", frameCount: 200) }
        }),
        FuzzTarget(name: "mat", bytes: { bytes in
            let mat = try MATFile(data: Data(bytes), name: "fuzz.mat")
            for name in mat.names {
                guard let value = mat[name] else { continue }
                _ = try? FrameLabels.fromMaskVolume(value, file: "fuzz.mat")
                _ = try? FrameLabels.fromRangeColumns(value, frameCounts: [10, 20], file: "fuzz.mat")
            }
        }),
        FuzzTarget(name: "npy-labels", file: { file in
            let count = try NPYFile.shape(contentsOf: file).shape.last ?? 0
            _ = try FrameLabels.fromConcatenatedNPY(file, frameCounts: [count / 2, count - count / 2])
        }),
        FuzzTarget(name: "clips-csv", file: { _ = try FrameRangeTable(contentsOf: $0) }),
        // The YAML grid config of `xad benchmark run`: read, validated, expanded into cells (its
        // relative data set paths start at the scratch file's folder, so `path: .` passes).
        FuzzTarget(name: "benchmark-config", file: { _ = try BenchmarkGrid(BenchmarkConfig.load($0)) }),
    ]

    /// The target called `name`.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The images go through `Image(data:name:)`, which picks the codec from the magic bytes;
    /// each format has its own target so that its corpus and statistics stay apart.
    private static func image(_ format: String) -> FuzzTarget {
        FuzzTarget(name: format, bytes: { _ = try Image(data: Data($0), name: "fuzz.\(format)") })
    }

    /// One scratch file per target and process, in memory where the system has a RAM disk.
    static func scratchFile(for name: String) -> URL {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return URL(fileURLWithPath: folder).appendingPathComponent("xad-fuzz-\(getpid())-\(name).bin")
    }
}
