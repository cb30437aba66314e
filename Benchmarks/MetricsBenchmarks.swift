import Foundation
import XADMetrics

/// Pixel AUROC and AUPRO over 100 and 1,000 score maps of 256x256, the inputs that
/// `Tools/bench/peer_metrics.py` gives anomalib (both sides build them from the same integer hash).
struct MetricsBenchmarks: BenchmarkSuite {
    let name = "metrics"

    func run(into report: inout BenchmarkReport) throws {
        for count in [100, 1000] {
            let (maps, masks) = try Self.syntheticPairs(count: count, side: 256)
            var metrics: PixelMetrics?
            let (wall, cpu) = try Self.medians(repetitions: count > 100 ? 1 : 5) {
                metrics = try PixelMetrics(maps: maps, masks: masks)
            }
            guard let metrics else { continue }
            let size = "\(count)x256x256"
            report.record(name, "pixel_auroc_and_aupro_\(size)_seconds", rounded(wall, 4))
            report.record(name, "pixel_auroc_and_aupro_\(size)_cpu_seconds", rounded(cpu, 4))
            report.record(name, "aupro_\(size)", rounded(try metrics.aupro(), 6))
            report.record(name, "pixel_auroc_\(size)", rounded(try metrics.auroc(), 6))
        }
    }

    /// Median wall time and median process CPU time (all threads) of `body`, after one warm-up run.
    /// CPU time is the work done, which other processes on a busy machine hardly change.
    private static func medians(repetitions: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        func cpuNow() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        try body()
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds, startCPU = cpuNow()
            try body()
            cpus.append(cpuNow() - startCPU)
            walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return (walls.sorted()[repetitions / 2], cpus.sorted()[repetitions / 2])
    }

    /// `count` maps with 0 to 3 rectangular defects each; scores are 24-bit hash noise plus 0.3 on
    /// defects, divided by 1.3 (all in float32, so NumPy reproduces them bit for bit).
    static func syntheticPairs(count: Int, side: Int) throws -> ([ScoreMap], [DefectMask]) {
        var maps: [ScoreMap] = [], masks: [DefectMask] = []
        for m in 0..<count {
            var defect = [Bool](repeating: false, count: side * side)
            for r in 0..<(m % 4) {
                let key = UInt32(m * 16 + r * 4)
                let top = Int(hash(key) % 200), left = Int(hash(key + 1) % 200)
                let height = 5 + Int(hash(key + 2) % 45), width = 5 + Int(hash(key + 3) % 45)
                for y in top..<min(side, top + height) {
                    for x in left..<min(side, left + width) { defect[y * side + x] = true }
                }
            }
            let base = UInt32(truncatingIfNeeded: m * side * side)
            let scores = (0..<(side * side)).map { i -> Float in
                let noise = Float(hash(base &+ UInt32(i) &+ 0x9E37_79B9) & 0xFF_FFFF) / 16_777_216
                return (noise + (defect[i] ? Float(0.3) : 0)) / Float(1.3)
            }
            maps.append(try ScoreMap(height: side, width: side, scores: scores, name: "synthetic \(m)"))
            masks.append(try DefectMask(height: side, width: side, isDefect: defect, name: "synthetic mask \(m)"))
        }
        return (maps, masks)
    }

    /// A 32-bit integer hash (Chris Wellons' lowbias32).
    static func hash(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16; x = x &* 0x7FEB_352D
        x ^= x >> 15; x = x &* 0x846C_A68B
        x ^= x >> 16
        return x
    }
}
