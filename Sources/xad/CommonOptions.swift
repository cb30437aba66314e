import ArgumentParser
import XADTensor
import Foundation
import XADData
import XADDetect
import XADImage

/// `--quiet`, shared by every command that works for long: stderr then holds only warnings and errors.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Show no progress on stderr (progress only ever shows on a terminal); warnings and errors still show.")
    var quiet = false

    var console: Console { Console(quiet: quiet) }
}

/// Options shared by the commands that read many images.
struct ImageReadingOptions: ParsableArguments {
    @Option(help: "What to do with an image that cannot be decoded: fail (stop, naming it) or skip (warn, naming it).")
    var onBadImage: BadImagePolicy = .fail

    @OptionGroup var progress: ProgressOptions

    @Option(help: ArgumentHelp(
        "Reading limits over XAD_LIMITS and the defaults, e.g. maxPixels=1073741824,maxVideoFrames=5000000 (docs/RELIABILITY.md).",
        valueName: "key=value,..."))
    var limits: String?

    var quiet: Bool { progress.quiet }
    var console: Console { progress.console }

    /// Sets the limits every reader of this command checks (a malformed XAD_LIMITS is a usage error too).
    func validate() throws {
        do {
            if let problem = ReadingLimits.environmentProblem { throw problem }
            if let limits { ReadingLimits.current = try ReadingLimits.current.applying(limits) }
        } catch let error as ReadingLimitsError {
            // ArgumentParser wraps any other error thrown here, which xad would report as internal.
            throw ValidationError(error.message)
        }
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
extension ColorMap: ExpressibleByArgument {}

/// The data set a command reads.
struct DatasetOptions: ParsableArguments {
    @Option(help: "The data set's folder.")
    var data: String

    @Option(help: "The data set's layout: \(DatasetFormats.all.map(\.name).joined(separator: ", ")) (default: detected).")
    var format: String?

    func load() throws -> Dataset { try DatasetFormats.load(URL(fileURLWithPath: data), format: format) }
}

/// `--weights FILE`, shared by every command that loads a backbone.
struct WeightsOption: ParsableArguments {
    @Option(help: "The backbone's weight file (default: the installed pretrained weights, or XAD_WEIGHTS).")
    var weights: String?
}

/// `--model FILE` (and `--weights FILE`): the saved model a command works with.
struct ModelOptions: ParsableArguments {
    @Option(help: "The saved model (.xadm).")
    var model: String

    @OptionGroup var backbone: WeightsOption

    /// The saved model, its backbone rebuilt from the installed weights or `--weights`.
    func load() throws -> SavedModel {
        try SavedModel.load(URL(fileURLWithPath: model), weightsPath: backbone.weights)
    }
}

/// How trainable detectors train (`xad fit`); frozen-feature detectors ignore these.
struct TrainingArguments: ParsableArguments {
    @Option(help: "Trainable detectors: the seed of shuffling, augmentation and initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Trainable detectors: stop after this many minutes, keeping the last finished epoch.")
    var maxMinutes: Double?

    @Option(help: ArgumentHelp("Trainable detectors: write a checkpoint into this folder after every epoch.",
                               valueName: "folder"))
    var checkpoints: String?

    @Flag(help: "Trainable detectors: continue from the checkpoint in --checkpoints.")
    var resume = false

    /// The settings, checked: a positive time budget, and --resume only with --checkpoints.
    func settings() throws -> TrainingSettings {
        if let maxMinutes, !(maxMinutes > 0) { throw CommandError.usage("--max-minutes must be above 0, got \(maxMinutes)") }
        if resume, checkpoints == nil { throw CommandError.usage("--resume needs --checkpoints FOLDER, the folder to continue from") }
        return TrainingSettings(seed: seed, maxMinutes: maxMinutes, checkpointFolder: checkpoints, resume: resume)
    }
}
