import Foundation
import Testing
import XADDetect
import XADExplain
import XADTestSupport
@testable import XADBench

/// The grid config: YAML and JSON parsing, every problem listed at once, `all` read from the
/// registries, presets, and the shard partition.
@Suite("Benchmark config and grid")
struct BenchmarkConfigTests {
    /// A fresh folder with `text` written to `name`.
    static func file(_ name: String, _ text: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-bench-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func theExampleParsesAndItsRelativePathStartsAtTheFilesFolder() throws {
        let url = try Self.file("grid.yaml", BenchmarkConfig.exampleYAML)
        let config = try BenchmarkConfig.load(url)
        #expect(config.name == "example" && config.preset == .quick && config.imageSize == 256 && config.seeds == [0])
        #expect(config.datasets.map(\.path) == [url.deletingLastPathComponent().appendingPathComponent("Demo/deeppcb").path])
        #expect(config.datasets[0].traits == DatasetTraits(modality: .image, content: .object, defectSize: .small))
        #expect(config.detectors == [.init("patchcore"), .init("padim", options: OptionOverrides(["channels": .number(100)]))])
        #expect(config.explainers.map(\.name) == ["grad-cam", "occlusion", "integrated-gradients"])
        #expect(config.resolvedMeasures == QualityEvaluation.measureNames)
        // The only problem in a fresh folder: the sample is not there.
        #expect(config.problems() == ["dataset 'deeppcb-sample': no folder at \(config.datasets[0].path)"])
    }

    @Test func yamlAndJSONGiveTheSameConfig() throws {
        let yaml = try BenchmarkConfig.load(Self.file("grid.yaml", "name: g\nimageSize: 64\ndatasets: [{name: d, path: /data, traits: {modality: image, content: texture}}]\ndetectors: [padim]\n"))
        let json = try BenchmarkConfig.load(Self.file("grid.json", #"{"name": "g", "imageSize": 64, "datasets": [{"name": "d", "path": "/data", "traits": {"modality": "image", "content": "texture"}}], "detectors": ["padim"]}"#))
        #expect(yaml == json)
    }

    @Test func everyProblemIsListedAtOnceBeforeAnythingRuns() throws {
        let url = try Self.file("bad.yaml", """
            datasets: [{name: d, path: missing-folder, traits: {modality: image, content: texture}}]
            detectors: [nope, {name: padim, options: {chanels: 5}}]
            explainers: [grad-cam, not-an-explainer]
            measures: [deletion_auc, speed]
            imageSize: 8
            """)
        let error = try #require(throws: BenchmarkConfigError.self) { try BenchmarkConfig.load(url).validate(file: url.path) }
        #expect(error.problems.count == 6, "\(error.problems)")
        for expected in ["imageSize must be in 32...4096", "no folder at", "detector 'nope'", "chanels", "explainer 'not-an-explainer'", "unknown measure 'speed'"] {
            #expect(error.problems.contains { $0.contains(expected) }, "\(expected) missing from \(error.problems)")
        }
        #expect(error.exitStatus == .usage && error.description.hasPrefix("\(url.path): 6 problems:"))
    }

    @Test func aMalformedFileNamesWhereItIsWrong() throws {
        let url = try Self.file("bad.yaml", "datasets: 3\n")
        let error = try #require(throws: BenchmarkConfigError.self) { try BenchmarkConfig.load(url) }
        #expect(error.description.contains("datasets"), "\(error)")
    }

    static func config(detectors: [BenchmarkConfig.MethodEntry], explainers: [BenchmarkConfig.MethodEntry], seeds: [UInt64] = [0],
                       preset: BenchmarkPreset = .quick) -> BenchmarkConfig {
        BenchmarkConfig(name: "t", preset: preset, seeds: seeds,
                        datasets: [.init(name: "a", path: "/"), .init(name: "b", path: "/tmp")],
                        detectors: detectors, explainers: explainers)
    }

    @Test func allIsEveryRegisteredImageDetectorAndExplainer() throws {
        let grid = try BenchmarkGrid(Self.config(detectors: [.init("all")], explainers: [.init("all")]))
        let imageDetectors = Detectors.all.filter { $0.traits.input == .images }.map { $0.name }
        #expect(!imageDetectors.isEmpty && imageDetectors.count < Detectors.all.count)
        #expect(grid.cells.count == 2 * imageDetectors.count * (1 + Explainers.names.count))
        #expect(Set(grid.cells.map(\.detector)) == Set(imageDetectors))
        #expect(Set(grid.cells.compactMap(\.explainer)) == Set(Explainers.names))
    }

    @Test func aNamedEntryBesideAllReplacesThatMethodsDefaultsWithoutADuplicate() throws {
        let epochs = OptionOverrides(["epochs": .number(3)]), masks = OptionOverrides(["maskCount": .number(50)])
        let grid = try BenchmarkGrid(Self.config(detectors: [.init("all"), .init("fastflow", options: epochs)],
                                                 explainers: [.init("all"), .init("rise", options: masks)]))
        let imageDetectors = Detectors.all.filter { $0.traits.input == .images }.map { $0.name }
        #expect(grid.cells.count == 2 * imageDetectors.count * (1 + Explainers.names.count))
        #expect(Set(grid.cells.map(\.key)).count == grid.cells.count)
        let fastflow = grid.cells.filter { $0.detector == "fastflow" }
        #expect(fastflow.count == 2 * (1 + Explainers.names.count) && fastflow.allSatisfy { $0.detectorOptions == #"{"epochs":3}"# })
        #expect(grid.cells.filter { $0.detector == "padim" }.allSatisfy { $0.detectorOptions == "{}" })
        #expect(Set(grid.cells.filter { $0.explainer == "rise" }.map(\.explainerOptions)) == [#"{"maskCount":50}"#])
    }

    @Test func aVideoDetectorNamedBesideImageDataSkipsIt() throws {
        let grid = try BenchmarkGrid(Self.config(detectors: [.init("padim"), .init("attributes")], explainers: []))
        #expect(grid.cells.map(\.detector) == ["padim", "padim"])
    }

    @Test func theFaithfulnessSettingsAndDatasetLimitsAreReadAndChecked() throws {
        let url = try Self.file("grid.yaml", """
            faithfulnessSteps: 4
            correlationRuns: 6
            datasets: [{name: d, path: /tmp, trainImages: 5, testImages: 3, traits: {modality: image, content: texture}}]
            detectors: [padim]
            """)
        let config = try BenchmarkConfig.load(url)
        #expect(config.datasets[0].trainImages == 5 && config.datasets[0].testImages == 3 && config.problems().isEmpty)
        let evaluation = config.qualityEvaluation(seed: 0)
        #expect(evaluation.faithfulness.steps == 4 && evaluation.faithfulness.correlationRuns == 6)
        #expect(evaluation.randomisation?.levels == BenchmarkPreset.quick.randomisationLevels)
        var bad = config
        (bad.faithfulnessSteps, bad.correlationRuns, bad.datasets[0].testImages) = (1, 0, 0)
        #expect(bad.problems().count == 3, "\(bad.problems())")
    }

    @Test func aSubsetTakesEvenlySpacedImagesSoEachClassKeepsItsShare() throws {
        // 8 normal then 4 + 4 defective images: a 4-image subset keeps two normal and one of each class.
        let items = Array(0..<16)
        #expect(BenchmarkConfig.DatasetEntry.evenlySpaced(items, count: 4) == [0, 4, 8, 12])
        #expect(BenchmarkConfig.DatasetEntry.evenlySpaced(items, count: 16) == items)
        #expect(BenchmarkConfig.DatasetEntry.evenlySpaced(items, count: nil) == items)
        #expect(BenchmarkConfig.DatasetEntry.evenlySpaced(items, count: 40) == items)
        let entry = BenchmarkConfig.DatasetEntry(name: "d", path: "/", trainImages: 60)
        #expect(entry.subsetFingerprint == " train 60" && BenchmarkConfig.DatasetEntry(name: "d", path: "/").subsetFingerprint.isEmpty)
    }

    @Test func cellsSharingAModelAreNeighboursAndThePresetIsInTheirOptions() throws {
        let entries: [BenchmarkConfig.MethodEntry] = [.init("rise"), .init("integrated-gradients", options: OptionOverrides(["steps": .number(7)]))]
        let grid = try BenchmarkGrid(Self.config(detectors: [.init("padim"), .init("patchcore")], explainers: entries, seeds: [0, 1], preset: .thorough))
        #expect(grid.cells.count == 2 * 2 * 2 * 3)
        #expect(grid.cells.prefix(3).map(\.explainer) == [nil, "rise", "integrated-gradients"])
        #expect(grid.cells.prefix(3).allSatisfy { $0.modelKey == grid.cells[0].modelKey })
        #expect(grid.cells[1].explainerOptions == #"{"maskCount":4000}"#)   // the thorough preset
        #expect(grid.cells[2].explainerOptions == #"{"steps":7}"#)          // the config overrides it
        #expect(Set(grid.cells.map(\.key)).count == grid.cells.count)
    }

    @Test(arguments: [1, 2, 3, 5, 7, 24, 30]) func theShardsPartitionTheGridInOrder(count: Int) throws {
        let grid = try BenchmarkGrid(Self.config(detectors: [.init("padim"), .init("patchcore")], explainers: [.init("rise"), .init("occlusion")], seeds: [0, 1]))
        let shards = try (0..<count).map { try grid.shard($0, of: count) }
        #expect(shards.flatMap { $0 } == grid.cells)
        #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1)
        #expect(throws: BenchmarkConfigError.self) { try grid.shard(count, of: count) }
    }
}
