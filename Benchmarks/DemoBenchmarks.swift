import Foundation
import Synchronization
import XADBench
import XADTensor

/// `xad demo` as `make demo` runs it once built (`DemoRun` with its defaults on the embedded
/// DeepPCB sample, `Demo/deeppcb`, report into a temporary folder): wall and process CPU
/// seconds, peak memory, when each stage began (seconds from the start: where the time goes),
/// and each detector's numbers, so a faster demo is seen to keep its results. Not run by default.
struct DemoBenchmarks: BenchmarkSuite {
    let name = "demo"
    var runsByDefault: Bool { false }

    func run(into report: inout BenchmarkReport) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("xad-demo-benchmark-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let demo = DemoRun(data: root.appendingPathComponent("Demo/deeppcb"), format: "deeppcb", output: output)
        let clock = ContinuousClock()
        let start = clock.now, cpuStart = processCPUSeconds()
        let stages = Mutex<[String: Double]>([:])
        let result = try demo.run(progress: { stage, _, _ in
            let seconds = (clock.now - start).seconds
            let isNew = stages.withLock { begun in
                guard begun[stage] == nil else { return false }
                begun[stage] = rounded(seconds, 1)
                return true
            }
            if isNew { FileHandle.standardError.write(Data(String(format: "  %7.1f s  %@\n", seconds, stage).utf8)) }
        })
        report.record(name, "wall_seconds", rounded((clock.now - start).seconds, 1))
        report.record(name, "cpu_seconds", rounded(processCPUSeconds() - cpuStart, 1))
        report.record(name, "peak_resident_megabytes", rounded(BackboneBenchmarks.peakResidentMegabytes(), 0))
        report.record(name, "stage_start_seconds", stages.withLock { $0 })
        report.record(name, "protocol", result.evaluationProtocol.rawValue)
        func cell(_ value: Double?) -> Any { value.map { rounded($0, 4) } ?? "undefined" }
        for detector in result.detectors {
            report.record(name, detector.detector, [
                "image_auroc": cell(detector.imageAUROC), "pixel_auroc": cell(detector.pixelAUROC),
                "aupro": cell(detector.aupro), "fit_seconds": rounded(detector.fitSeconds, 1),
                "normal_flagged": detector.normalFlagged?.description ?? "-",
                "anomalous_flagged": detector.anomalousFlagged?.description ?? "-",
            ] as [String: Any])
        }
    }
}
