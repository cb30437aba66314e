// swift-tools-version: 6.0
// XADKit: explainable visual anomaly detection in Swift.
// Imports run one way: XADTensor <- XADImage <- XADModels <- XADDetect <- XADExplain <- XADBench <- xad.
import PackageDescription

let release: [SwiftSetting] = []

let package = Package(
    name: "XADKit",
    products: [
        .library(name: "XADTensor", targets: ["XADTensor"]),
        .library(name: "XADImage", targets: ["XADImage"]),
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
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(
            name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),

        .target(name: "XADTensor", dependencies: ["CBLAS"], swiftSettings: release),
        .target(
            name: "XADImage", dependencies: ["XADTensor", "CPNG", "CTurboJPEG", "CTIFF", "CFFmpeg"],
            swiftSettings: release),

        .target(name: "XADData", dependencies: ["XADImage", "XADTensor"], swiftSettings: release),
        .target(
            name: "XADModels", dependencies: ["XADTensor", "XADImage"],
            exclude: ["Weights/README.md", "Backbones/EfficientNetLite/README.md"], swiftSettings: release),
        .target(name: "XADMetrics", dependencies: ["XADTensor"], swiftSettings: release),

        .target(
            name: "XADDetect", dependencies: ["XADModels", "XADData", "XADImage", "XADMetrics", "XADTensor"],
            exclude: ["PaDiM/README.md", "PatchCore/README.md", "KNN/README.md"], swiftSettings: release),

        .target(name: "XADExplain", dependencies: ["XADDetect", "XADData", "XADMetrics", "XADImage", "XADTensor"],
                exclude: ["Perturbation/README.md", "Quality/README.md", "Gradients/README.md", "CAM/README.md", "Concepts/README.md",
                          "Counterfactual/README.md", "Examples/README.md"], swiftSettings: release),

        .target(
            name: "XADBench", dependencies: ["XADExplain", "XADDetect", "XADData", "XADMetrics", "XADImage", "XADTensor"],
            swiftSettings: release),

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
            ],
            swiftSettings: release),

        .executableTarget(
            name: "Benchmarks",
            dependencies: ["XADTensor", "XADImage", "XADModels", "XADMetrics", "XADData", "XADDetect", "XADExplain"],
            path: "Benchmarks", swiftSettings: release),

        // Shared by the test targets: fixture loading and tolerant comparison.
        .target(name: "XADTestSupport", dependencies: ["XADTensor", "XADImage"], path: "Tests/XADTestSupport"),
        .testTarget(
            name: "XADTensorTests", dependencies: ["XADTensor", "XADTestSupport"],
            resources: []),
        .testTarget(name: "XADDataTests", dependencies: ["XADData", "XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADDetectTests", dependencies: ["XADDetect", "XADData", "XADMetrics", "XADModels", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADBenchTests", dependencies: ["XADBench", "XADDetect", "XADData", "XADMetrics", "XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADExplainTests", dependencies: ["XADExplain", "XADDetect", "XADData", "XADModels", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADImageTests", dependencies: ["XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADModelsTests", dependencies: ["XADModels", "XADImage", "XADTensor", "XADTestSupport"]),
        .testTarget(name: "XADMetricsTests", dependencies: ["XADMetrics", "XADTestSupport"]),
        // Runs the built `xad` executable as users do (it depends on "xad" so that the binary is built).
        .testTarget(name: "XADCLITests", dependencies: ["xad", "XADImage", "XADModels", "XADTensor", "XADTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
