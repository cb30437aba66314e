import Foundation
import XADDetect
import XADTensor

// `xad-benchmarks [SUITE...]`: runs the named suites (those that run by default when none is named)
// and prints JSON.
// One registration line per suite.
let suites: [any BenchmarkSuite] = [
    TensorBenchmarks(),
    GEMMBenchmarks(),
    ImageBenchmarks(),
    MetricsBenchmarks(),
    TransformBenchmarks(),
    BackboneBenchmarks(),
    PerturbationBenchmarks(),
    ExplainBenchmarks(),
    ExemplarBenchmarks(),
    TCAVBenchmarks(),
    DetectorBenchmarks(),
    MotionBenchmarks(),
    VideoDataBenchmarks(),
    AttributeBenchmarks(),
    DemoBenchmarks(),
    PatchCoreScaleBenchmarks(images: 1000, maximumFitPatches: nil),
    PatchCoreScaleBenchmarks(images: 2000, maximumFitPatches: nil),
    PatchCoreScaleBenchmarks(images: 5000, maximumFitPatches: nil),
    PatchCoreScaleBenchmarks(images: 5000, maximumFitPatches: PatchCore.Options().maximumFitPatches),
    CoresetScaleBenchmarks(),
]

// `xad-benchmarks --workload NAME`: one fixed workload for instruction counting (see InstructionWorkloads.swift).
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--workload" {
    InstructionWorkload.main(CommandLine.arguments[2])
}

let requested = Set(CommandLine.arguments.dropFirst())
let unknown = requested.subtracting(suites.map { $0.name })
guard unknown.isEmpty else {
    let names = suites.map { $0.name }.joined(separator: ", ")
    FileHandle.standardError.write(Data("xad-benchmarks: no suite named \(unknown.sorted().joined(separator: ", ")); suites: \(names)\n".utf8))
    exit(2)
}
var report = BenchmarkReport()
for suite in suites where requested.isEmpty ? suite.runsByDefault : requested.contains(suite.name) {
    FileHandle.standardError.write(Data("benchmark \(suite.name)\n".utf8))
    try suite.run(into: &report)
}
print(try report.json(metadata: ["threads": Threads.count, "date": ISO8601DateFormatter().string(from: Date())]))
