import ArgumentParser
import Foundation
import XADBench

/// `xad guide`: which detector and explainer to use, ranked from measured benchmark results.
struct GuideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guide",
        abstract: "Recommend detector + explainer pairs for your data, need and budget, citing measured results.",
        discussion: """
            Describe your data (--modality, --content, --defect-size, --normal-images), what you need \
            (--need; every need when left out) and your budget (--max-latency-ms, --max-explain-ms, \
            --max-training-s, --max-memory-mb). The guide finds the measured data set most like yours, \
            ranks the pairs measured there by the figure that answers the need, and cites every figure \
            (data set, measure, value, interval). It says so when no measured data set is like yours. \
            Needs: alarm, localisation, heat-map, counterfactual, example, concept, attribute (the \
            rules file defines them). Evidence: the figures of XADKit's BENCHMARKS.md, or your own \
            benchmark with --from-results.

            Example:
              xad guide --content texture --defect-size small --normal-images 200 --need localisation
              xad guide --content object --max-latency-ms 50 --html guide.html
              xad guide --from-results results.db --need heat-map
            """
    )

    @Option(help: "image or video.")
    var modality: DatasetTraits.Modality = .image

    @Option(help: "texture, object, mixed or scene.")
    var content: DatasetTraits.Content

    @Option(help: "small (under 1% of the image), medium (1-10%) or large (over 10%).")
    var defectSize: DatasetTraits.DefectSize?

    @Option(help: "How many normal training images you have.")
    var normalImages: Int?

    @Option(help: "The need (alarm, localisation, heat-map, counterfactual, example, concept, attribute); every need when left out.")
    var need: String?

    @Option(help: "The most milliseconds scoring one image may take.")
    var maxLatencyMs: Double?

    @Option(help: "The most milliseconds explaining one image may take.")
    var maxExplainMs: Double?

    @Option(help: "The most seconds fitting or training may take.")
    var maxTrainingS: Double?

    @Option(help: "The most peak memory in megabytes.")
    var maxMemoryMb: Double?

    @Option(help: "How many ranked pairs to print per need (the HTML page lists all).")
    var top = 5

    @Option(help: "Your own measured results (an xad benchmark results database, or a guide evidence JSON file) in place of XADKit's published figures.")
    var fromResults: String?

    @Option(help: "A guide rules file in place of the built-in one.")
    var rules: String?

    @Option(help: "Also write the answer as an HTML page to this file (atomically).")
    var html: String?

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() throws {
        if let html { try checkWritable(html, option: "--html") }
        let guide = try MethodGuide(
            rules: rules.map { try GuideRules(contentsOf: URL(fileURLWithPath: $0)) } ?? .builtIn,
            evidence: fromResults.map(GuideEvidence.read) ?? .builtIn)
        let traits = DatasetTraits(modality: modality, content: content, defectSize: defectSize, normalImages: normalImages)
        let budget = GuideQuestion.Budget(latencyMilliseconds: maxLatencyMs, explanationMilliseconds: maxExplainMs,
                                          trainingSeconds: maxTrainingS, memoryMB: maxMemoryMb)
        let needs = need.map { [$0] } ?? guide.rules.needs.map(\.id)
        let answers = try needs.map { try guide.answer(GuideQuestion(data: traits, need: $0, budget: budget)) }
        print(answers.map { $0.text(top: top) }.joined(separator: "\n"), terminator: "")
        if let html { try writeAtomically(Data(GuidePage(answers: answers).html.utf8), to: html, what: "guide page") }
    }
}

extension DatasetTraits.Modality: ExpressibleByArgument {}
extension DatasetTraits.Content: ExpressibleByArgument {}
extension DatasetTraits.DefectSize: ExpressibleByArgument {}
