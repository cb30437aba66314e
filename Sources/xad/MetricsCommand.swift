import ArgumentParser
import Foundation
import XADData
import XADMetrics

/// `xad metrics`: every XADMetrics measure, computed from files that any tool can write.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Measure anomaly scores and maps: AUROC, AP, F1-max, AUPRO, IoU/Dice, video frame AUROC and EER.",
        discussion: """
            Image level: --scores FILE.csv with a header naming a 'score' and a 'label' column \
            (label 1/0, true/false or anomaly/normal; other columns such as 'file' are ignored). \
            With a 'video' column the rows are frames: frame AUROC (micro and macro) and EER follow.

            Pixel level: --maps DIR and --masks DIR hold .npy (float arrays [H, W]) or gray .png \
            files paired by name (a mask may be NAME.png or NAME_mask.png). A PNG mask, and a uint8 \
            .npy mask holding 0/255, is scaled to 0...1 and must be binary unless --mask-threshold \
            is given. Regions for AUPRO are 8-connected.

            A metric that is undefined for the input (e.g. AUROC with one class) is shown as \
            'undefined' with the reason and written as null. Bad files stop the command with a \
            one-line error naming the file. stdout gets the table (or, with --json -, the \
            values as JSON by level and metric).

            Example:
              xad metrics --scores scores.csv --maps maps --masks masks --json -
            """
    )

    @Option(help: "CSV of image (or frame) scores with 'score' and 'label' columns.")
    var scores: String?

    @Option(help: "Folder of score maps (.npy or gray .png).")
    var maps: String?

    @Option(help: "Folder of ground-truth masks paired with the maps by file name.")
    var masks: String?

    @Option(help: "Binarise non-binary masks: a value above this (on the 0...1 scale) is a defect.")
    var maskThreshold: Float?

    @Option(help: "The FPR up to which the PRO curve is integrated.")
    var fprLimit: Double = 0.3

    @Option(help: "Pixel threshold for IoU and Dice (default: the pixel F1-max threshold).")
    var threshold: Double?

    @OptionGroup var output: JSONOutputOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard scores != nil || maps != nil || masks != nil else {
            throw ValidationError("give --scores FILE.csv, or --maps DIR with --masks DIR (or both)")
        }
        guard (maps == nil) == (masks == nil) else { throw ValidationError("--maps and --masks go together") }
        guard fprLimit > 0 && fprLimit <= 1 else { throw ValidationError("--fpr-limit must be in (0, 1]") }
    }

    func run() throws {
        try output.checkDestination()
        var report = MetricsReport()
        if let scores {
            let table = try ScoreTable(contentsOf: URL(fileURLWithPath: scores))
            try report.addImageMetrics(table)
            if table.hasVideos { try report.addVideoMetrics(table) }
        }
        if let maps, let masks {
            let folders = try MapMaskFolders(maps: URL(fileURLWithPath: maps), masks: URL(fileURLWithPath: masks))
            let console = progress.console
            let pairs = try folders.read(maskThreshold: maskThreshold) { number, count in
                if number % 100 == 1 { console.note("reading map \(number) of \(count)") }
            }
            console.note("measuring \(pairs.maps.count) maps")
            try report.addPixelMetrics(pairs.maps, pairs.masks, fprLimit: fprLimit, threshold: threshold)
        }
        try output.publish(report.sections, text: report.table())
    }
}

/// The measured values by section ("image", "video", "pixel"), in the order they were added;
/// an undefined metric holds `nil` and its reason.
struct MetricsReport {
    /// One measured value, the threshold it was measured at (if any), a note, or why it is undefined.
    struct Entry: Encodable {
        var value: Double?
        var threshold: Double?
        var note: String?
        var undefined: String?
    }

    private(set) var rows: [(section: String, name: String, entry: Entry)] = []

    var sections: [String: [String: Entry]] {
        rows.reduce(into: [:]) { $0[$1.section, default: [:]][$1.name] = $1.entry }
    }

    /// Records `measure()` (value, threshold), or its reason when the metric is undefined for this input.
    private mutating func add(_ section: String, _ name: String, note: String? = nil,
                              _ measure: () throws -> (Double, Double?)) throws {
        do {
            let (value, threshold) = try measure()
            rows.append((section, name, Entry(value: value, threshold: threshold, note: note)))
        } catch let error as MetricsError where error.kind == .undefined {
            rows.append((section, name, Entry(undefined: error.message)))
        }
    }

    mutating func addImageMetrics(_ table: ScoreTable) throws {
        let ranking = try BinaryRanking(scores: table.scores, labels: table.labels)
        try add("image", "auroc") { (try ranking.auroc(), nil) }
        try add("image", "average_precision") { (try ranking.averagePrecision(), nil) }
        try add("image", "f1_max") { let f1 = try ranking.f1Max(); return (f1.score, f1.threshold) }
        for rate in [0.01, 0.05, 0.1] {
            try add("image", "tpr_at_fpr_\(rate)") {
                let point = try ranking.truePositiveRate(atFalsePositiveRate: rate)
                return (point.truePositiveRate, point.threshold)
            }
        }
        try add("image", "fpr_at_tpr_0.95") {
            let point = try ranking.falsePositiveRate(atTruePositiveRate: 0.95)
            return (point.falsePositiveRate, point.threshold)
        }
    }

    mutating func addVideoMetrics(_ table: ScoreTable) throws {
        let videos = try table.videos()
        do {
            let frameAUROC = try FrameAUROC(videos: videos)
            try add("video", "frame_auroc_micro") { (frameAUROC.micro, nil) }
            try add("video", "frame_auroc_macro", note: "mean over \(frameAUROC.macroVideoCount) of \(videos.count) videos") {
                (frameAUROC.macro, nil)
            }
        } catch let error as MetricsError where error.kind == .undefined {
            rows.append(("video", "frame_auroc", Entry(undefined: error.description)))
        }
        let pooled = try BinaryRanking(scores: table.scores, labels: table.labels)
        try add("video", "equal_error_rate") { (try pooled.equalErrorRate(), nil) }
    }

    mutating func addPixelMetrics(_ maps: [ScoreMap], _ masks: [DefectMask], fprLimit: Double, threshold: Double?) throws {
        let metrics = try PixelMetrics(maps: maps, masks: masks, fprLimit: fprLimit)
        try add("pixel", "auroc") { (try metrics.auroc(), nil) }
        try add("pixel", "average_precision") { (try metrics.averagePrecision(), nil) }
        try add("pixel", "f1_max") { let f1 = try metrics.f1Max(); return (f1.score, f1.threshold) }
        try add("pixel", "aupro_\(fprLimit)") { (try metrics.aupro(), nil) }
        // IoU and Dice need a threshold: the given one, else the pixel F1-max threshold.
        guard let cut = threshold ?? (try? metrics.f1Max())?.threshold else { return }
        let note = threshold == nil ? "(the pixel F1-max threshold)" : nil
        let overlap = try? SegmentationOverlap(maps: maps, masks: masks, threshold: cut)
        for (name, value) in [("iou", overlap?.iou), ("dice", overlap?.dice)] {
            try add("pixel", name, note: note) {
                guard let value else { throw MetricsError(.undefined, name, "no pixel is a defect or predicted one") }
                return (value, cut)
            }
        }
    }

    /// A plain-text table: section, metric, value, threshold (when the metric has one).
    func table() -> String {
        let cells = rows.map { row in
            [row.section, row.name, row.entry.value.map { String(format: "%.6f", $0) } ?? "undefined",
             row.entry.undefined ?? [row.entry.threshold.map { String(format: "at %.6g", $0) }, row.entry.note]
                .compactMap { $0 }.joined(separator: " ")]
        }
        let header = ["level", "metric", "value", "threshold / note"]
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        return ([header] + cells).map { row in
            zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
