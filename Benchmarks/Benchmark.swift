import Foundation
import XADTensor

/// A group of related measurements; each suite adds its figures to the shared report.
protocol BenchmarkSuite {
    /// The key of this suite's section in the JSON output.
    var name: String { get }
    /// Whether a run that names no suite includes this one (false for suites of many minutes).
    var runsByDefault: Bool { get }
    func run(into report: inout BenchmarkReport) throws
}

extension BenchmarkSuite {
    var runsByDefault: Bool { true }
}

/// The figures of one run, printed as JSON on stdout. Progress goes to stderr.
struct BenchmarkReport {
    private(set) var sections: [String: [String: Any]] = [:]

    mutating func record(_ suite: String, _ key: String, _ value: Any) {
        sections[suite, default: [:]][key] = value
        FileHandle.standardError.write(Data("  \(suite).\(key) = \(value)\n".utf8))
    }

    func json(metadata: [String: Any]) throws -> String {
        var root: [String: Any] = sections
        root["meta"] = metadata
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// The median wall time of `body` in seconds over `repetitions` runs, after one warm-up run.
func medianSeconds(repetitions: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// The least process CPU time of `body` over `repetitions` runs, after one warm-up run: on a
/// shared machine, one thread's CPU time moves far less with other processes' load than wall time.
func cpuSeconds(repetitions: Int = 7, _ body: () throws -> Void) rethrows -> Double {
    let now = processCPUSeconds
    try body()
    var best = Double.infinity
    for _ in 0..<repetitions {
        let start = now()
        try body()
        best = Swift.min(best, now() - start)
    }
    return best
}

extension BenchmarkSuite {
    /// `../shared/data/FOLDER` beside the repository, or nil, recorded as this suite's reason for
    /// skipping, when it is missing.
    func sharedData(_ folder: String, into report: inout BenchmarkReport) -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/\(folder)")
        guard FileManager.default.fileExists(atPath: root.path) else {
            report.record(name, "skipped", "no data at \(root.path)")
            return nil
        }
        return root
    }
}

/// The CPU time of this process so far (all threads), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Rounds for readable JSON.
func rounded(_ value: Double, _ digits: Int = 3) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
