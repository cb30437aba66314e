import ArgumentParser
import Foundation
import XADData
import XADDetect
import XADImage
import XADTensor

/// `xad predict`: score images with a saved model, one JSON line per image.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score images with a saved model; print one JSON line per image.",
        discussion: """
            Each line holds the file, its raw score, the normalised score (0.5 is the saved \
            threshold) and the label at the saved threshold ("anomalous" when score >= threshold). \
            Folders are read one level deep (PNG, JPEG, TIFF, BMP).

            With --maps DIR, every image also gets NAME.npy (the raw anomaly map, float32, at the \
            image's own size) and NAME_overlay.png (the map in colour over the image, on the \
            model's normalised scale when it has one, so that colours compare across images).

            stdout is JSON Lines as the images are scored; --json FILE also writes all \
            predictions as one JSON array to FILE, and --json - prints that array in place of \
            the lines.

            With --data DIR (a video data set, e.g. --format ucsd) and a video model, every \
            frame of the test clips is scored instead: one JSON line per frame with the clip, \
            the frame (0-based), the smoothed and raw scores, the label at the saved threshold \
            and the ground truth; --csv FILE also writes them as CSV.

            Example:
              xad predict --model pcb.xadm --maps maps board.jpg boards/
              xad predict --model ped2.xadm --data ../shared/data/ucsd_ped2 --format ucsd --clips 01 --csv 01.csv
            """
    )

    @OptionGroup var modelFile: ModelOptions

    @Argument(help: "Images, or folders of images.")
    var inputs: [String] = []

    @OptionGroup var video: VideoPredictionOptions

    @Option(help: "Write each image's anomaly map (.npy) and an overlay (.png) into this folder.")
    var maps: String?

    @Option(help: "The overlay's colour map: \(ColorMap.allCases.map(\.rawValue).joined(separator: ", ")).")
    var colorMap: ColorMap = .jet

    @OptionGroup var reading: ImageReadingOptions

    @OptionGroup var output: JSONOutputOptions

    /// One output line; a model without a threshold or normalisation gives null for those keys.
    struct Prediction: Encodable {
        let file: String
        let score: Float
        let normalisedScore: Double?
        let label: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(score, forKey: .score)
            try container.encode(normalisedScore, forKey: .normalisedScore)
            try container.encode(label, forKey: .label)
        }

        private enum CodingKeys: String, CodingKey { case file, score, normalisedScore, label }
    }

    func run() throws {
        try output.checkDestination()
        if let data = video.data { return try predictVideo(data) }
        guard !inputs.isEmpty else { throw CommandError.usage("give images or folders of images to score, or --data with a video data set") }
        let files = try imageFiles()
        if maps != nil { try checkUniqueNames(files) }
        let saved = try modelFile.load()
        if let maps {
            do { try FileManager.default.createDirectory(atPath: maps, withIntermediateDirectories: true) } catch {
                throw CommandError.data("\(maps): cannot create the folder for --maps (\(error.localizedDescription))")
            }
        }
        let encoder = JSONOutputOptions.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // On a terminal the JSON lines themselves show progress.
        let console = Console(quiet: reading.quiet || (isatty(STDOUT_FILENO) == 1 && !output.isStandardOutput))
        var predictions: [Prediction] = []
        for (index, file) in files.enumerated() {
            let image: Tensor
            do { image = try Self.decode(file) } catch {
                guard reading.onBadImage == .skip else { throw error }
                console.warn("skipping \(file.path): \(error)")
                continue
            }
            let result = try saved.detector.score(image: image)
            let threshold = saved.threshold
            let prediction = Prediction(file: file.path, score: result.score,
                                        normalisedScore: saved.normalisation.map { $0(Double(result.score)) },
                                        label: threshold.map { result.score >= $0 ? "anomalous" : "normal" })
            predictions.append(prediction)
            if !output.isStandardOutput { print(String(decoding: try encoder.encode(prediction), as: UTF8.self)) }
            if let maps { try writeMaps(result.map, image: image, name: file.deletingPathExtension().lastPathComponent, in: maps, model: saved) }
            console.progress("scoring", index + 1, files.count)
        }
        try output.write(predictions)
    }

    /// The image as `[1, C, H, W]` in 0...1, C = 1 or 3 (alpha dropped), decoded as data sets are.
    static func decode(_ url: URL) throws -> Tensor {
        try SampleReference(image: url, label: .normal, category: "good").load().image
    }

    /// The input files: files as given, folders expanded to their images (sorted).
    private func imageFiles() throws -> [URL] {
        var files: [URL] = []
        for input in inputs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                throw CommandError.data("\(input): no such file or folder")
            }
            guard isFolder.boolValue else { files.append(URL(fileURLWithPath: input)); continue }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            let images = names.filter(ImageFormat.isImageFileName)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            guard !images.isEmpty else { throw CommandError.data("\(input): no images in this folder (PNG, JPEG, TIFF or BMP)") }
            files += images.map { URL(fileURLWithPath: input).appendingPathComponent($0) }
        }
        return files
    }

    /// Two inputs with one name would write over each other's maps.
    private func checkUniqueNames(_ files: [URL]) throws {
        var seen: [String: URL] = [:]
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            if let other = seen[name] {
                throw CommandError.usage("\(other.path) and \(file.path) would both write \(name).npy in --maps; score them in separate runs")
            }
            seen[name] = file
        }
    }

    /// NAME.npy (the raw map) and NAME_overlay.png, each written to a temporary file and renamed.
    private func writeMaps(_ map: Tensor, image: Tensor, name: String, in folder: String, model: SavedModel) throws {
        let base = URL(fileURLWithPath: folder)
        try NPYFile.write(map, to: base.appendingPathComponent("\(name).npy"))
        let range = model.normalisation.map { Float($0.raw(0))...Float($0.raw(1)) }
        let shown = try overlay(heatmap: map, on: image, alpha: 0.5, colorMap: colorMap, range: range)
        try Image(tensor: shown).write(to: base.appendingPathComponent("\(name)_overlay.png"), format: .png)
    }
}
