import ArgumentParser
import Foundation
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// `xad explain`: why a saved model scored images as it did, by one explanation method or all.
struct ExplainCommand: ParsableCommand {
    /// Computed, so that the method list is read from the registry when help is shown.
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "explain",
            abstract: "Explain a saved model's scores of images: a map per method, an overlay, a JSON summary, and a panel comparing methods.",
            discussion: """
                For every image and method, OUT/NAME/ gets METHOD.npy (the relevance map, float32, at \
                the image's size), METHOD_overlay.png (the map in colour over the image), \
                METHOD_EXTRA.png for each extra image the method makes (counterfactual, difference, \
                exemplars) and METHOD.json (target, its value, options, values, seconds); one JSON \
                line per explanation goes to stdout (--json FILE also writes them as one JSON array \
                to FILE; --json - prints that array in place of the lines). With --method all (or several methods) \
                OUT/NAME/panel.png shows the input beside every method's overlay; methods that cannot \
                explain this model (gradient methods on a detector without gradients, tcav without \
                --concepts) are skipped with a warning. Methods (all, or any of these), with their \
                options (key = default), set by --options JSON or --set key=value (--set \
                occlusion.window=16 for one method of several):
                \(MethodHelp.list(Explainers.descriptions))

                Video frames: with --data DIR (a video data set), --clip NAME and --frames A-B \
                (0-based, inclusive), a video model scores the clip and OUT/CLIP/FFF.png shows \
                each frame's evidence: the heat map, the object boxes, the nearest normal \
                training objects; OUT/CLIP/FFF.json holds the scores and every object's \
                attributes against their normal range (FFF_map.npy the map, when there is one).

                Example:
                  xad explain --model pcb.xadm --method all --target topk:100 a.png --out why
                  xad explain --model ped2.xadm --data ../shared/data/ucsd_ped2 --format ucsd --clip 01 --frames 60-80 --out why
                  xad explain --model pcb.xadm --method occlusion --set window=64 a.png --out why
                """
        )
    }

    @OptionGroup var modelFile: ModelOptions

    @Option(help: "The explanation method, several separated by commas, or all (video frames: evidence, the default).")
    var method: String?

    @Option(help: "What to explain: image (the image score), topk:K (the mean of the K largest anomaly-map values) or region:x1,y1,x2,y2 (the map's mean over a rectangle in pixels, x2 and y2 exclusive).")
    var target = "image"

    @Option(help: "A folder with one sub-folder of example images per concept and random* sub-folders (for tcav).")
    var concepts: String?

    @Option(help: "The overlays' colour map: \(ColorMap.allCases.map(\.rawValue).joined(separator: ", ")).")
    var colorMap: ColorMap = .jet

    @OptionGroup var settings: ExplainerSettings

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var output: JSONOutputOptions

    @Argument(help: "The images to explain (PNG, JPEG, TIFF, BMP).")
    var images: [String] = []

    @OptionGroup var frames: VideoFrameSelection

    @Option(help: "The folder to write into, one sub-folder per image (created when missing).")
    var out: String

    func run() throws {
        try output.checkDestination()
        if let data = frames.data { return try explainFrames(data) }
        guard let method else { throw CommandError.usage("--method is required to explain images") }
        guard !images.isEmpty else { throw CommandError.usage("give the images to explain, or --data, --clip and --frames for video frames") }
        let target = try ExplanationTarget(parsing: target)
        let explainers = try settings.explainers(method)
        let inputs = try decodedImages(checking: target)
        if let concepts { try checkFolder(concepts, option: "--concepts") }
        let saved = try modelFile.load()
        let context = ExplanationContext(normalImages: saved.trainingImages, conceptFolder: concepts.map { URL(fileURLWithPath: $0) })
        // Several methods: one that cannot explain this model is skipped with a warning (it would
        // not explain later images either). A single method's error stops the command.
        var run = ExplanationRun(explainers: Explainers.configured(explainers, with: context),
                                 dropsFailingMethods: explainers.count > 1)
        let files = ExplanationFiles(folder: URL(fileURLWithPath: out), colorMap: colorMap)
        let console = progress.console
        let encoder = JSONOutputOptions.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var summaries: [ExplanationFiles.Summary] = []
        for (index, input) in inputs.enumerated() {
            let (timed, dropped) = try run.explain(saved.detector, image: input.image, target: target)
            for method in dropped { console.warn("skipping \(method.method): \(method.reason)") }
            guard !timed.isEmpty else { throw CommandError.usage("no method given could explain this model") }
            let explanations = timed.map(\.explanation)
            for item in timed {
                let summary = try files.write(item.explanation, of: input.image, named: input.name, seconds: item.seconds)
                summaries.append(summary)
                if !output.isStandardOutput { print(String(decoding: try encoder.encode(summary), as: UTF8.self)) }
            }
            if method == "all" || explanations.count > 1 {
                try files.writePanel(explanations, of: input.image, named: input.name)
            }
            console.progress("explaining", index + 1, inputs.count)
        }
        try output.write(summaries)
    }

    /// Every image decoded, its target checked, before anything is written; names must differ.
    private func decodedImages(checking target: ExplanationTarget) throws -> [(name: String, image: Tensor)] {
        var seen: [String: String] = [:]
        return try images.map { path in
            let url = URL(fileURLWithPath: path)
            let name = url.deletingPathExtension().lastPathComponent
            if let other = seen[name] {
                throw CommandError.usage("\(other) and \(path) would both write \(name)/ in --out; explain them in separate runs")
            }
            seen[name] = path
            guard FileManager.default.fileExists(atPath: path) else { throw CommandError.data("\(path): no such file") }
            let image = try PredictCommand.decode(url)
            do { try target.check(imageSize: Size2(height: image.shape[2], width: image.shape[3])) } catch {
                throw CommandError.usage("\(path): \(error)")
            }
            return (name, image)
        }
    }

    private func checkFolder(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandError.data("\(path): no such folder (\(option))")
        }
    }
}
