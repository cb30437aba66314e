// swift-tools-version: 6.0
// XADKit: explainable visual anomaly detection in Swift.
// Imports run one way: XADTensor <- XADImage <- XADModels <- XADDetect <- XADExplain <- XADBench <- xad.
import Foundation
import PackageDescription

/// Every README.md under `Sources/<target>`, relative to the target: excluded from the build, so
/// that a new method's folder (code + README) needs no edit here.
func readmes(of target: String) -> [String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/\(target)")
    guard let files = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return files.compactMap { $0 as? String }.filter { ($0 as NSString).lastPathComponent == "README.md" }.sorted()
}

let release: [SwiftSetting] = []

let package = Package(
    name: "XADKit",
    products: [
        .library(name: "XADTensor", targets: ["XADTensor"]),
        .library(name: "XADImage", targets: ["XADImage"]),
        .library(name: "XADModels", targets: ["XADModels"]),
        .library(name: "XADData", targets: ["XADData"]),
        .library(name: "XADMetrics", targets: ["XADMetrics"]),
        .library(name: "XADDetect", targets: ["XADDetect"]),
        .library(name: "XADExplain", targets: ["XADExplain"]),
        .library(name: "XADBench", targets: ["XADBench"]),
        .executable(name: "xad", targets: ["xad"]),
        .executable(name: "xad-benchmarks", targets: ["Benchmarks"]),
        // libFuzzer driver over every file reader (`make fuzz`); in the normal build it replays inputs.
        .executable(name: "XADFuzz", targets: ["XADFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `make docs`: the DocC catalogs (Sources/*/*.docc) built by `swift package generate-documentation`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `xad serve` (XADServe only; the library modules stay free of server dependencies).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `xad benchmark`: the results database (SQLite through GRDB) and the YAML grid config (Yams).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // SHA-256 of the benchmark's data fingerprints (already built for the server packages).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // System libraries: module maps over C headers, nothing else.
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(
            name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),

        // XADKit's own SIMD kernels (AVX-512 / AVX2 / portable C, chosen at run time by CPUID):
        // the only C code of the package, called through XADTensor's safe kernels.
        .target(name: "CXADKernels", path: "Sources/CXADKernels"),

        .target(name: "XADTensor", dependencies: ["CBLAS", "CXADKernels"], exclude: readmes(of: "XADTensor"), swiftSettings: release),
        .target(
            name: "XADImage", dependencies: ["XADTensor", "CPNG", "CTurboJPEG", "CTIFF", "CFFmpeg"],
            swiftSettings: release),

        .target(name: "XADData", dependencies: ["XADImage", "XADMetrics", "XADTensor"], exclude: readmes(of: "XADData"), swiftSettings: release),
        .target(
            name: "XADModels", dependencies: ["XADTensor", "XADImage"],
            exclude: readmes(of: "XADModels"), swiftSettings: release),
        .target(name: "XADMetrics", dependencies: ["XADTensor"], exclude: readmes(of: "XADMetrics"), swiftSettings: release),

        .target(
            name: "XADDetect", dependencies: ["XADModels", "XADData", "XADImage", "XADMetrics", "XADTensor"],
            exclude: readmes(of: "XADDetect"), swiftSettings: release),

        .target(
            name: "XADExplain", dependencies: ["XADDetect", "XADModels", "XADData", "XADMetrics", "XADImage", "XADTensor"],
            exclude: readmes(of: "XADExplain"), swiftSettings: release),

        .target(
            name: "XADBench",
            dependencies: [
                "XADExplain", "XADDetect", "XADModels", "XADData", "XADMetrics", "XADImage", "XADTensor",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: readmes(of: "XADBench"),
            // The method selection guide's rules and its built-in evidence (versioned data, not code).
            resources: [.copy("Guide/guide-rules.json"), .copy("Guide/guide-evidence.json")],
            swiftSettings: release),

        // The HTTP inspection service behind `xad serve`: the only target that links the server packages.
        .target(
            name: "XADServe",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "XADExplain", "XADDetect", "XADModels", "XADMetrics", "XADImage", "XADTensor",
            ],
            exclude: readmes(of: "XADServe"), swiftSettings: release),

        .executableTarget(
            name: "xad",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "XADModels",
                "XADMetrics",
                "XADImage",
                "XADDetect",
                "XADExplain",
                "XADBench",
                "XADData",
                "XADTensor",
                "XADServe",
            ],
            swiftSettings: release),

        .executableTarget(
            name: "Benchmarks",
            dependencies: ["XADTensor", "XADImage", "XADModels", "XADMetrics", "XADData", "XADDetect", "XADExplain",
                           "XADBench"],
            path: "Benchmarks",
            // The instruction-count baseline is read by Tools/bench/instruction_counts.py, not built.
            exclude: ["instruction-baseline.json"], swiftSettings: release),

        // One fuzz target per reader of untrusted files (Tests/Fuzz/README.md), and the libFuzzer driver.
        .target(
            name: "XADFuzzTargets", dependencies: ["XADBench", "XADDetect", "XADData", "XADMetrics", "XADModels", "XADImage", "XADTensor"],
            path: "Tests/Fuzz/Targets"),
        .executableTarget(name: "XADFuzz", dependencies: ["XADFuzzTargets"], path: "Tests/Fuzz/Main"),

        // Shared by the test targets: fixture loading and tolerant comparison.
        .target(name: "XADTestSupport", dependencies: ["XADTensor", "XADImage"], path: "Tests/XADTestSupport"),
        // The contracts every registered detector and explainer must keep; the contract tests walk the registries.
        .target(
            name: "XADContracts", dependencies: ["XADExplain", "XADDetect", "XADModels", "XADImage", "XADTensor"],
            path: "Tests/XADContracts"),
        .testTarget(
            name: "XADTensorTests", dependencies: ["XADTensor", "XADTestSupport"],
            resources: []),
        .testTarget(name: "XADDataTests", dependencies: ["XADData", "XADImage", "XADMetrics", "XADTensor", "XADTestSupport"]),
        .testTarget(
            name: "XADDetectTests",
            dependencies: ["XADDetect", "XADData", "XADMetrics", "XADModels", "XADTensor", "XADTestSupport", "XADContracts"]),
        .testTarget(
            name: "XADBenchTests",
            dependencies: [
                "XADBench", "XADDetect", "XADData", "XADMetrics", "XADModels", "XADImage", "XADTensor", "XADTestSupport", "XADContracts",
                // The benchmark's schema tests write a database from a "newer" XADKit.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "XADExplainTests",
            dependencies: ["XADExplain", "XADDetect", "XADData", "XADModels", "XADTensor", "XADTestSupport", "XADContracts"]),
        .testTarget(name: "XADImageTests", dependencies: ["XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADModelsTests", dependencies: ["XADModels", "XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADMetricsTests", dependencies: ["XADMetrics", "XADTestSupport"]),
        // Replays the fuzz seed corpora and regression inputs (Tests/Fuzz) through every reader.
        .testTarget(name: "XADFuzzTests", dependencies: ["XADFuzzTargets"]),
        // Runs the built `xad` executable as users do (it depends on "xad" so that the binary is built).
        .testTarget(
            name: "XADCLITests",
            dependencies: ["xad", "XADDetect", "XADExplain", "XADImage", "XADModels", "XADTensor", "XADTestSupport", "XADContracts",
                           "XADBench"]),
        .testTarget(
            name: "XADServeTests",
            dependencies: [
                "XADServe", "XADDetect", "XADExplain", "XADImage", "XADModels", "XADTensor", "XADTestSupport", "XADContracts",
                // Runs `xad serve` and `xad predict` as users do (the binary is built beside the tests).
                "xad",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
