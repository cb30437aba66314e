import ArgumentParser
import Foundation
import XADBench

extension DemoProtocol: ExpressibleByArgument {}

/// `xad demo`: XADKit in one command, on the embedded DeepPCB sample by default.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fit, score, explain and evaluate in one go, and write an HTML report (what `make demo` runs).",
        discussion: """
            Fits PatchCore and PaDiM on the data set's normal training images, scores the \
            held-out test images, explains the highest-scoring ones with Grad-CAM, healing and \
            nearest normal exemplars, measures both detectors and writes the report: \
            --out/report.html (the first detector, the others' numbers in its summary), \
            --out/NAME/report.html for each other detector, and the first detector's model \
            (--out/patchcore.xadm, ready for 'xad predict'); open report.html in a browser. \
            An earlier report in --out is replaced; any other non-empty folder is refused. stdout \
            gets the report's path, the protocol and a table (detector, image AUROC, pixel AUROC, \
            AUPRO, normal and anomalous test images flagged at the saved threshold, fit seconds, \
            scoring images per second), or with --json - the same as JSON. The default \
            data is the DeepPCB sample shipped in Demo/deeppcb (MIT licence). PatchCore keeps a \
            1% coreset (coresetRatio 0.01: at 10% choosing it took most of the demo's 259 s of CPU \
            time on the project's 2-core machine). On DeepPCB the demo compares each board with its golden \
            template (--protocol golden-board: the test boards' defect-free templates \
            join the training images; the threshold is set on the training images only); \
            --protocol held-out tests on board regions never seen in training.

            Example:
              xad demo --detectors patchcore --image-size 320 --out quick-demo
            """
    )

    @Option(help: "The data set's folder.")
    var data = "Demo/deeppcb"

    @Option(help: "The data set's layout (default: detected).")
    var format: String?

    @Option(help: "The report's folder (created when missing; an earlier report there is replaced).")
    var out = "demo-output"

    @Option(help: "The square size images are resized to.")
    var imageSize = DemoRun.defaultImageSize

    @Option(help: "Detectors, comma-separated; the first one's results are explained.")
    var detectors = "patchcore,padim"

    @Option(help: "How many of the highest-scoring test images to explain.")
    var explain = 4

    @Option(name: .customLong("protocol"), help: ArgumentHelp("Which images are learnt from: \(DemoProtocol.allCases.map(\.rawValue).joined(separator: " or ")) (default: golden-board on DeepPCB, held-out otherwise).",
                                                              valueName: "protocol"))
    var evaluationProtocol: DemoProtocol?

    @OptionGroup var backbone: WeightsOption

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var output: JSONOutputOptions

    func run() throws {
        try output.checkDestination()
        let console = progress.console
        let demo = DemoRun(
            data: URL(fileURLWithPath: data), format: format, output: URL(fileURLWithPath: out), imageSize: imageSize,
            detectors: detectors.split(separator: ",").map { DemoRun.Detector.standard($0.trimmingCharacters(in: .whitespaces)) },
            explainedImages: explain, weightsPath: backbone.weights, evaluationProtocol: evaluationProtocol)
        let result = try demo.run(progress: console.progress, warn: console.warn)
        try output.publish(result, text: "report: \(result.report)\n\(result.table)")
    }
}
