import Foundation
import XADMetrics
import XADModels
import XADTensor

/// Small fixed workloads whose instruction counts `Tools/bench/instruction_counts.py` measures
/// under `valgrind --tool=callgrind` and compares with `Benchmarks/instruction-baseline.json`:
/// `xad-benchmarks --workload NAME` prepares the inputs, then runs the work once inside
/// ``countedWorkload(_:)``, the only function callgrind counts (`--toggle-collect`), on one
/// thread so the count does not depend on scheduling. Instruction counts are repeatable where wall
/// time on a shared machine is not.
enum InstructionWorkload: String, CaseIterable {
    /// EfficientNet-Lite0 to stride 16 (taps stage1...stage3), one 256 x 256 image.
    case backbone = "backbone_b1"
    /// One block of the exact nearest-neighbour search: 1,024 queries against 4,096 bank rows of
    /// 152 channels (PatchCore's stage2 + stage3 features), one GEMM and the per-query minimum.
    case nearestNeighbours = "nearest_neighbours_block"
    /// Pixel AUROC and AUPRO over 8 synthetic 256 x 256 maps (the metrics benchmark's inputs).
    case aupro = "aupro_8x256x256"

    /// Runs `name` (or lists the workloads for an unknown name) and exits.
    static func main(_ name: String) -> Never {
        guard let workload = InstructionWorkload(rawValue: name) else {
            FileHandle.standardError.write(Data("unknown workload '\(name)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        Threads.count = 1
        do {
            let prepared = try workload.prepare()
            try countedWorkload(prepared)
            // The key of the baseline: the BLAS build and the kernel it chose on this CPU (under
            // valgrind, the CPU valgrind shows it).
            print("blas: \(BLAS.configuration)")
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("workload \(name) failed: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The inputs, built before counting starts (weights read, tensors filled).
    func prepare() throws -> @Sendable () throws -> Void {
        var generator = SeededGenerator(seed: 7)
        switch self {
        case .backbone:
            let net = try EfficientNetLite.pretrained(.lite0)
            let input = Tensor.uniform([1, 3, 256, 256], generator: &generator)
            return { _ = try net.features(input, upTo: "stage3") }
        case .nearestNeighbours:
            let bank = try NearestNeighbours(bank: Tensor.normal([4096, 152], generator: &generator))
            let queries = Tensor.normal([1024, 152], generator: &generator)
            return { _ = try bank.search(queries, k: 1) }
        case .aupro:
            let (maps, masks) = try MetricsBenchmarks.syntheticPairs(count: 8, side: 256)
            return {
                let metrics = try PixelMetrics(maps: maps, masks: masks)
                _ = try (metrics.auroc(), metrics.aupro())
            }
        }
    }
}

/// The counted region: callgrind is started with `--collect-atstart=no
/// --toggle-collect=xad_counted_workload`, so only what runs inside this call is counted. The
/// fixed symbol name and `@inline(never)` keep the call a real call to that symbol.
@_silgen_name("xad_counted_workload")
@inline(never)
func countedWorkload(_ work: @Sendable () throws -> Void) throws {
    try work()
}
