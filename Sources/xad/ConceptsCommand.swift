import ArgumentParser
import Foundation
import XADData
import XADExplain

/// `xad concepts`: build a concept folder for `xad explain --method tcav --concepts DIR` from a
/// data set's masked defects.
struct ConceptsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concepts",
        abstract: "Build a concept folder (one sub-folder per defect class, plus random) from labelled defects.",
        discussion: """
            Each defect class of the test set becomes a concept (MT_Crack -> crack): square crops \
            around each defect mask's bounding box, resized to --crop-size. A random/ sub-folder \
            gets --random-images crops of normal training images at the median defect-crop side. \
            --skip-first N leaves out each class's first N test images (in the data set's order), \
            so the images an evaluation explains are not concept examples. The folder is written \
            under a temporary name and renamed when complete. stdout gets one summary line (or, \
            with --json -, the crops per concept as JSON).

            Example:
              xad concepts --data ../shared/data/mtd --format mtd --out concepts --skip-first 5 --per-concept 30
              xad explain --model mtd.xadm --method tcav --concepts concepts --out explained image.jpg
            """
    )

    @OptionGroup var dataset: DatasetOptions

    @Option(help: "The folder to create (it must not exist, or be empty).")
    var out: String

    @Option(help: "Leave out each defect class's first N test images.")
    var skipFirst = 0

    @Option(help: "At most this many crops per defect class (default: all).")
    var perConcept: Int?

    @Option(help: "The side of the written crops in pixels.")
    var cropSize = 128

    @Option(help: "Context around each defect box on each side, as a share of the box's longer side.")
    var margin = 0.25

    @Option(help: "The smallest crop side in source pixels.")
    var minimumSide = 32

    @Option(help: "Random crops of normal training images (a single random folder is split into 10 sets of at least 5).")
    var randomImages = 200

    @Option(help: "The seed of the random crops.")
    var seed: UInt64 = 0

    @OptionGroup var progress: ProgressOptions

    @OptionGroup var output: JSONOutputOptions

    /// The JSON form of the summary line.
    struct Result: Encodable {
        let folder: String
        let concepts: [String: Int]
        let randomImages: Int
        let withoutMask: Int
    }

    func run() throws {
        try output.checkDestination()
        let data = try dataset.load()
        let builder = DefectConcepts(cropSize: cropSize, margin: margin, minimumSide: minimumSide, skipFirst: skipFirst,
                                     perConcept: perConcept, randomImages: randomImages, seed: seed)
        let console = progress.console
        let summary = try builder.write(data, to: URL(fileURLWithPath: out)) { done, total in console.progress("cropping", done, total) }
        let concepts = summary.concepts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        try output.publish(Result(folder: out, concepts: summary.concepts, randomImages: summary.randomImages,
                                  withoutMask: summary.withoutMask),
                           text: "wrote \(out): \(concepts); random \(summary.randomImages)"
                               + (summary.withoutMask > 0 ? "; \(summary.withoutMask) defect images without a mask passed over" : ""))
    }
}
