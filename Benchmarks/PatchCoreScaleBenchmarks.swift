import Foundation
import Synchronization
import XADData
import XADDetect
import XADModels
import XADTensor

/// PatchCore fitted on many images at 256 x 256: MTD v1's normal training images repeated under
/// the eight flips and quarter turns of the square (made on the fly, never stored) up to
/// `images`, with the coreset held at 10,000 patches (`maximumBankSize`) so that its time shows
/// how it grows with the patches alone. Records the patches held, fit and coreset seconds and
/// the process's peak memory; run one size per process (`xad-benchmarks patchcore-scale-5000`
/// under `/usr/bin/time -v`), since peak memory only ever rises. Not run by default.
struct PatchCoreScaleBenchmarks: BenchmarkSuite {
    let images: Int
    /// The fit's ``PatchCore/Options/maximumFitPatches``; nil holds every patch.
    let maximumFitPatches: Int?
    var name: String { "patchcore-scale-\(images)" + (maximumFitPatches == nil ? "-unbounded" : "") }
    var runsByDefault: Bool { false }

    func run(into report: inout BenchmarkReport) throws {
        guard let root = sharedData("mtd", into: &report) else { return }
        let training = DihedralImages(base: DatasetImages(try DatasetFormats.load(root, format: "mtd").train), count: images)
        var options = PatchCore.Options()
        options.maximumBankSize = 10_000
        options.maximumFitPatches = maximumFitPatches
        let clock = ContinuousClock()
        // Wall and process CPU seconds when the coreset stage began: on a loaded machine only the
        // CPU figures compare.
        let coresetStart = Mutex((clock.now, 0.0))
        let start = clock.now, cpuStart = processCPUSeconds()
        let model = try PatchCore.fit(
            on: training, setup: DetectorSetup(layers: PatchCore.defaultLayers), options: options,
            backbone: try Backbones.load("efficientnet-lite0"), progress: { stage, done, total in
                if stage == "coreset" && done == 0 { coresetStart.withLock { $0 = (clock.now, processCPUSeconds()) } }
                if stage == "features" && done % 500 < 16 { FileHandle.standardError.write(Data("  features \(done)/\(total)\n".utf8)) }
            })
        let (coresetWall, coresetCPU) = coresetStart.withLock { $0 }
        let cpuEnd = processCPUSeconds()
        report.record(name, "fit_seconds", rounded((clock.now - start).seconds, 1))
        report.record(name, "coreset_seconds", rounded((clock.now - coresetWall).seconds, 1))
        report.record(name, "before_coreset_cpu_seconds", rounded(coresetCPU - cpuStart, 1))
        report.record(name, "coreset_cpu_seconds", rounded(cpuEnd - coresetCPU, 1))
        report.record(name, "bank_patches", model.fittedTensors["memory_bank"]?.shape[0] ?? 0)
        report.record(name, "peak_resident_megabytes", rounded(BackboneBenchmarks.peakResidentMegabytes(), 0))
    }
}

/// `count` images cycling through `base`, each pass under the next of the square's eight
/// symmetries (identity, transposes and mirror images), so repeats are not pixel copies.
struct DihedralImages: ImageSource {
    let base: DatasetImages
    let count: Int

    func image(at index: Int) throws -> Tensor {
        let image = try base.image(at: index % base.count)
        let symmetry = index / base.count % 8
        let turned = symmetry & 1 == 0 ? image : try image.permuted([0, 1, 3, 2])
        let mirrored = symmetry & 2 == 0 ? turned : Self.mirrored(turned, axis: 3)
        return symmetry & 4 == 0 ? mirrored : Self.mirrored(mirrored, axis: 2)
    }

    /// `image` `[1, C, H, W]` reversed along `axis` (2: rows, 3: columns).
    private static func mirrored(_ image: Tensor, axis: Int) -> Tensor {
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let source = image.scalars
        return Tensor(shape: image.shape) { out in
            for c in 0..<channels {
                for y in 0..<height {
                    for x in 0..<width {
                        let (sy, sx) = axis == 2 ? (height - 1 - y, x) : (y, width - 1 - x)
                        out[(c * height + y) * width + x] = source[(c * height + sy) * width + sx]
                    }
                }
            }
        }
    }
}

/// The coreset selection alone (`kCenterGreedyRows`) on clustered points of 128 dimensions (64
/// clusters, like random projections of patch features): at the demo's 196,608 patches with a
/// 1 % and a 10 % coreset, and at 196,608, 524,288 and 1,048,576 rows with the coreset held at
/// 10,000, so that its growth in the rows alone shows. Records wall and process CPU seconds of
/// each selection. Not run by default (about a minute of CPU on a quiet 2-core machine).
struct CoresetScaleBenchmarks: BenchmarkSuite {
    let name = "coreset-scale"
    var runsByDefault: Bool { false }

    func run(into report: inout BenchmarkReport) throws {
        let demoRows = 196_608
        let points = Self.clusteredPoints(rows: 1_048_576, dims: 128)
        let cases = [(demoRows, demoRows / 100), (demoRows, demoRows / 10), (demoRows, 10_000), (524_288, 10_000), (1_048_576, 10_000)]
        for (rows, count) in cases {
            let subset = try points.rows(at: Array(0..<rows))
            let clock = ContinuousClock()
            let start = clock.now, cpuStart = processCPUSeconds()
            let taken = try subset.kCenterGreedyRows(count, firstCentre: 0).count
            let key = "rows_\(rows)_centres_\(count)"
            report.record(name, key, [
                "wall_seconds": rounded((clock.now - start).seconds, 2), "cpu_seconds": rounded(processCPUSeconds() - cpuStart, 2),
                "taken": taken,
            ] as [String: Any])
            FileHandle.standardError.write(Data("  \(key): \(rounded(processCPUSeconds() - cpuStart, 2)) s CPU\n".utf8))
        }
    }

    /// `rows` points around 64 centres (spread 4) with unit noise, a fixed seed.
    static func clusteredPoints(rows: Int, dims: Int) -> Tensor {
        var generator = SeededGenerator(seed: 17)
        let centres = Tensor.normal([64, dims], std: 4, generator: &generator).scalars
        return Tensor(shape: [rows, dims]) { out in
            for i in 0..<rows {
                let cluster = i % 64
                for d in 0..<dims { out[i * dims + d] = centres[cluster * dims + d] + generator.nextNormal() }
            }
        }
    }
}
