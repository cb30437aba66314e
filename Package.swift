// swift-tools-version: 6.0
// XADKit: explainable visual anomaly detection in Swift.
// Imports run one way: XADTensor <- XADImage <- XADModels <- XADDetect <- XADExplain <- XADBench <- xad.
import PackageDescription

let release: [SwiftSetting] = []

let package = Package(
    name: "XADKit",
    products: [
        .library(name: "XADTensor", targets: ["XADTensor"]),
        .executable(name: "xad", targets: ["xad"]),
        .executable(name: "xad-benchmarks", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: module maps over C headers, nothing else.
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        .target(name: "XADTensor", dependencies: ["CBLAS"], swiftSettings: release),

        .executableTarget(
            name: "xad",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: release),

        .executableTarget(
            name: "Benchmarks",
            dependencies: ["XADTensor"],
            path: "Benchmarks", swiftSettings: release),

        // Shared by the test targets: fixture loading and tolerant comparison.
        .target(name: "XADTestSupport", dependencies: ["XADTensor"], path: "Tests/XADTestSupport"),
        .testTarget(
            name: "XADTensorTests", dependencies: ["XADTensor", "XADTestSupport"],
            resources: []),
    ],
    swiftLanguageModes: [.v6]
)
